package io.mqttboot.autoconfigure.diagnostics;

import io.mqttboot.embedded.MqttEmbeddedBrokerUnavailableException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports {@code mqtt.embedded.enabled=true} without Moquette on the class path.
 * <p>
 * Ordered ahead of Boot's generic analyzers: the cause chain may also hold, for example,
 * a {@code NoSuchBeanDefinitionException}, and this analyzer knows its MQTT context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class MqttEmbeddedBrokerUnavailableFailureAnalyzer
		extends AbstractFailureAnalyzer<MqttEmbeddedBrokerUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MqttEmbeddedBrokerUnavailableException cause) {
		return new FailureAnalysis(
				"mqtt.embedded.enabled is true, but the embedded MQTT broker (Moquette) is not on the class path.",
				"Add the dependency " + MqttEmbeddedBrokerUnavailableException.MOQUETTE_COORDINATES
						+ " (see 'Embedded broker' in the reference guide for the exclusions it needs), or remove"
						+ " mqtt.embedded.enabled to connect to mqtt.url.",
				cause);
	}

}
