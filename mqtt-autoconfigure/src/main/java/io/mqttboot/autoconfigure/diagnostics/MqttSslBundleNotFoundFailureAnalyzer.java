package io.mqttboot.autoconfigure.diagnostics;

import io.mqttboot.autoconfigure.MqttSslBundleNotFoundException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports an SSL bundle named by {@code mqtt.ssl.bundle} that is not configured.
 * <p>
 * Ordered ahead of Boot's generic analyzers: the cause chain may also hold, for example,
 * a {@code NoSuchBeanDefinitionException}, and this analyzer knows its MQTT context.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class MqttSslBundleNotFoundFailureAnalyzer extends AbstractFailureAnalyzer<MqttSslBundleNotFoundException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MqttSslBundleNotFoundException cause) {
		String configured = cause.getAvailableBundles().isEmpty() ? "No SSL bundle is configured."
				: "Configured bundles: " + String.join(", ", cause.getAvailableBundles()) + ".";
		return new FailureAnalysis(
				cause.getProperty() + " names the SSL bundle '" + cause.getBundle()
						+ "', but no such bundle is configured. " + configured,
				"Configure the bundle under spring.ssl.bundle.pem." + cause.getBundle()
						+ ".* (or spring.ssl.bundle.jks." + cause.getBundle() + ".*), or set " + cause.getProperty()
						+ " to a configured bundle.",
				cause);
	}

}
