package io.mqttboot.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.health.MqttHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.CompositeHealthContributorConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of {@link MqttHealthIndicator}: one health component per client,
 * a composite named after the clients when there are several. Disabled with
 * {@code management.health.mqtt.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MqttAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(MqttClientRegistry.class)
@ConditionalOnEnabledHealthIndicator("mqtt")
public final class MqttHealthContributorAutoConfiguration
		extends CompositeHealthContributorConfiguration<MqttHealthIndicator, MqttClientManager> {

	MqttHealthContributorAutoConfiguration() {
		super(MqttHealthIndicator::new);
	}

	@Bean
	@ConditionalOnMissingBean(name = { "mqttHealthIndicator", "mqttHealthContributor" })
	HealthContributor mqttHealthContributor(MqttClientRegistry registry) {
		Map<String, MqttClientManager> clients = new LinkedHashMap<>();
		registry.getClientNames().forEach((name) -> clients.put(name, registry.getClientManager(name)));
		return createContributor(clients);
	}

}
