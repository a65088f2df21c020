package io.mqttboot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.metrics.MqttMetrics;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of {@link MqttMetrics} when Micrometer and a {@link MeterRegistry}
 * are present.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MqttAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, MqttClientRegistry.class })
public final class MqttMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MqttMetrics mqttMetrics(MqttClientRegistry clients, ObjectProvider<MqttListenerEndpointRegistry> listeners) {
		return new MqttMetrics(clients, listeners.getIfAvailable());
	}

}
