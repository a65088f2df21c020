package io.mqttboot.autoconfigure.diagnostics;

import io.mqttboot.annotation.MqttListenerConfigurationException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports an {@code @MqttListener} that cannot work as declared.
 * <p>
 * Ordered ahead of Boot's generic analyzers: the cause chain may also hold, for example,
 * a {@code NoSuchBeanDefinitionException}, and this analyzer knows its MQTT context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class MqttListenerConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<MqttListenerConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MqttListenerConfigurationException cause) {
		return new FailureAnalysis(
				"The @MqttListener on " + cause.getListener() + " is invalid: " + cause.getProblem(),
				cause.getAction(), cause);
	}

}
