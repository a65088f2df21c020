package io.mqttboot.autoconfigure.diagnostics;

import io.mqttboot.autoconfigure.InvalidMqttUrlException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports a broker URL that cannot be used, naming the property but not the URL, which may
 * carry a password.
 * <p>
 * Ordered ahead of Boot's generic analyzers: the cause chain may also hold, for example,
 * a {@code NoSuchBeanDefinitionException}, and this analyzer knows its MQTT context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvalidMqttUrlFailureAnalyzer extends AbstractFailureAnalyzer<InvalidMqttUrlException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidMqttUrlException cause) {
		return new FailureAnalysis(
				"The MQTT broker URL in '" + cause.getProperty() + "' cannot be used: " + cause.getProblem()
						+ ". (The URL is not shown: it may contain a password.)",
				"Set " + cause.getProperty() + " to scheme://host[:port], for example tcp://localhost:1883,"
						+ " ssl://broker.example:8883 or wss://broker.example:443/mqtt.",
				cause);
	}

}
