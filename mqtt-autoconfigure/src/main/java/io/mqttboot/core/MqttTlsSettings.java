package io.mqttboot.core;

import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import org.jspecify.annotations.Nullable;

/**
 * TLS material and options of one client, usually taken from a Spring Boot SSL bundle.
 *
 * @param keyManagerFactory the client certificate for mutual TLS, or {@code null}
 * @param trustManagerFactory the trusted certificates, or {@code null} for the JDK's
 * @param protocols the enabled protocols, empty for the defaults
 * @param cipherSuites the enabled cipher suites, empty for the defaults
 * @param verifyHostname whether the server certificate must match the host name
 * @since 0.1.0
 */
public record MqttTlsSettings(@Nullable KeyManagerFactory keyManagerFactory,
		@Nullable TrustManagerFactory trustManagerFactory, List<String> protocols, List<String> cipherSuites,
		boolean verifyHostname) {

}
