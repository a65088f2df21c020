package io.mqttboot.autoconfigure.diagnostics;

import java.net.BindException;

import io.mqttboot.embedded.MqttEmbeddedBrokerException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports an embedded broker that could not start, telling a taken port from other
 * failures.
 * <p>
 * Ordered ahead of Boot's generic analyzers: the cause chain may also hold, for example,
 * a {@code NoSuchBeanDefinitionException}, and this analyzer knows its MQTT context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class MqttEmbeddedBrokerFailureAnalyzer extends AbstractFailureAnalyzer<MqttEmbeddedBrokerException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MqttEmbeddedBrokerException cause) {
		BindException bind = findCause(cause, BindException.class);
		if (bind != null && cause.getPort() != 0 && String.valueOf(bind.getMessage()).contains("in use")) {
			return new FailureAnalysis(
					"The embedded MQTT broker could not listen on " + cause.getHost() + ":" + cause.getPort()
							+ ": the port is already in use.",
					"Stop the process that listens on port " + cause.getPort() + ", or set mqtt.embedded.port to"
							+ " another port (0 picks a free one at startup).",
					cause);
		}
		return new FailureAnalysis(cause.getMessage(),
				"Check mqtt.embedded.host (an address of this machine, such as 127.0.0.1) and mqtt.embedded.port.",
				cause);
	}

}
