package io.mqttboot.autoconfigure.diagnostics;

import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttConnectionFailedException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports a client with {@code fail-fast} set that could not connect on startup.
 * <p>
 * Ordered ahead of Boot's generic analyzers: the cause chain may also hold, for example,
 * a {@code NoSuchBeanDefinitionException}, and this analyzer knows its MQTT context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class MqttConnectionFailedFailureAnalyzer extends AbstractFailureAnalyzer<MqttConnectionFailedException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MqttConnectionFailedException cause) {
		String prefix = MqttClientRegistry.DEFAULT_CLIENT.equals(cause.getClientName()) ? "mqtt"
				: "mqtt.clients." + cause.getClientName();
		return new FailureAnalysis(
				"MQTT client '" + cause.getClientName() + "' could not connect to " + cause.getServerUri() + ": "
						+ cause.getReason() + ". " + prefix + ".fail-fast is true, so the application does not start"
						+ " without its broker.",
				"Make sure a broker runs at " + cause.getServerUri() + " and accepts this client (" + prefix
						+ ".url, credentials, TLS), or set " + prefix + ".fail-fast=false to start anyway and keep"
						+ " reconnecting in the background.",
				cause);
	}

}
