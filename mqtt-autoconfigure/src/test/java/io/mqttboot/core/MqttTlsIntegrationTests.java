package io.mqttboot.core;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

import io.mqttboot.TestCertificates;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MosquittoBroker;
import io.mqttboot.test.MqttTestBroker;
import io.mqttboot.test.MqttTestBrokerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TLS through Spring Boot SSL bundles against mosquitto TLS listeners, with certificates
 * made at test time: one listener with server authentication only, one that requires a
 * client certificate.
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttTlsIntegrationTests {

	@TempDir
	static Path dir;

	static MqttTestBroker broker;

	static int tlsPort;

	static int mutualTlsPort;

	static int wrongHostPort;

	static TestCertificates ca;

	static TestCertificates otherCa;

	static TestCertificates client;

	static TestCertificates untrustedClient;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, MqttAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=200ms", "mqtt.reconnect.max-delay=500ms",
				"mqtt.connect-timeout=3s");

	@BeforeAll
	static void startBrokerWithTlsListeners() throws IOException {
		assumeTrue(MosquittoBroker.isAvailable(), "needs mosquitto for its TLS/WebSocket listeners");
		ca = TestCertificates.authority(dir, "test-ca");
		otherCa = TestCertificates.authority(dir, "other-ca");
		TestCertificates server = ca.issue("broker", new String[] { "localhost" }, new String[] { "127.0.0.1" });
		TestCertificates wrongHost = ca.issue("elsewhere", new String[] { "elsewhere.example" }, new String[0]);
		client = ca.issue("client-1", new String[0], new String[0]);
		untrustedClient = otherCa.issue("intruder", new String[0], new String[0]);
		tlsPort = freePort();
		mutualTlsPort = freePort();
		wrongHostPort = freePort();
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.extraConfig("listener " + tlsPort + " 127.0.0.1", "certfile " + server.certificatePath(),
					"keyfile " + server.privateKeyPath(), "cafile " + ca.certificatePath(),
					"listener " + mutualTlsPort + " 127.0.0.1", "certfile " + server.certificatePath(),
					"keyfile " + server.privateKeyPath(), "cafile " + ca.certificatePath(),
					"require_certificate true", "listener " + wrongHostPort + " 127.0.0.1",
					"certfile " + wrongHost.certificatePath(), "keyfile " + wrongHost.privateKeyPath(),
					"cafile " + ca.certificatePath())
			.build();
		broker = new MosquittoBroker(options);
		broker.start();
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private ApplicationContextRunner trusting(TestCertificates authority) {
		return this.contextRunner.withPropertyValues(
				"spring.ssl.bundle.pem.mqtt.truststore.certificate=file:" + authority.certificatePath(),
				"mqtt.ssl.bundle=mqtt");
	}

	private ApplicationContextRunner withClientCertificate(TestCertificates certificate) {
		return this.contextRunner.withPropertyValues(
				"spring.ssl.bundle.pem.mqtt.truststore.certificate=file:" + ca.certificatePath(),
				"spring.ssl.bundle.pem.mqtt.keystore.certificate=file:" + certificate.certificatePath(),
				"spring.ssl.bundle.pem.mqtt.keystore.private-key=file:" + certificate.privateKeyPath(),
				"mqtt.ssl.bundle=mqtt");
	}

	@Test
	void validServerCertificateShouldConnect() {
		trusting(ca).withPropertyValues("mqtt.url=ssl://127.0.0.1:" + tlsPort, "mqtt.client-id=tls-ok")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(manager::isConnected);
				assertThat(manager.getSettings().isSecure()).isTrue();
				context.getBean(MqttTemplate.class).publish("tls/ok", "over TLS");
			});
	}

	@Test
	void bundleShouldEnableTlsEvenWithTcpScheme() {
		trusting(ca).withPropertyValues("mqtt.url=tcp://localhost:" + tlsPort)
			.run((context) -> await().until(context.getBean(MqttClientManager.class)::isConnected));
	}

	@Test
	void serverCertificateFromAnotherAuthorityShouldFailBeforeConnect() {
		trusting(otherCa).withPropertyValues("mqtt.url=ssl://127.0.0.1:" + tlsPort, "mqtt.client-id=tls-wrong-ca")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.getReconnectAttempts() >= 2);
				assertThat(manager.isConnected()).isFalse();
				assertThat(manager.getLastDisconnectReason()).contains("SSLHandshakeException");
			});
		// The handshake failed, so the broker never saw a CONNECT with our client id.
		assertThat(broker.getLog()).doesNotContain("tls-wrong-ca");
	}

	@Test
	void hostnameMismatchShouldFail() {
		trusting(ca).withPropertyValues("mqtt.url=ssl://127.0.0.1:" + wrongHostPort, "mqtt.client-id=tls-wrong-host")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.getReconnectAttempts() >= 2);
				assertThat(manager.isConnected()).isFalse();
				assertThat(manager.getLastDisconnectReason()).contains("SSLHandshakeException");
			});
		assertThat(broker.getLog()).doesNotContain("tls-wrong-host");
	}

	@Test
	void disabledHostnameVerificationShouldConnectAndWarnLoudly(CapturedOutput output) {
		trusting(ca)
			.withPropertyValues("mqtt.url=ssl://127.0.0.1:" + wrongHostPort, "mqtt.ssl.verify-hostname=false")
			.run((context) -> await().until(context.getBean(MqttClientManager.class)::isConnected));
		assertThat(output).contains("TLS hostname verification is DISABLED");
	}

	@Test
	void mutualTlsWithClientCertificateShouldConnect() {
		withClientCertificate(client).withPropertyValues("mqtt.url=ssl://127.0.0.1:" + mutualTlsPort)
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(manager::isConnected);
				context.getBean(MqttTemplate.class).publish("tls/mutual", "with a client certificate");
			});
	}

	@Test
	void mutualTlsWithoutClientCertificateShouldFail() {
		trusting(ca).withPropertyValues("mqtt.url=ssl://127.0.0.1:" + mutualTlsPort, "mqtt.client-id=tls-no-cert")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.getReconnectAttempts() >= 2);
				assertThat(manager.isConnected()).isFalse();
			});
		assertThat(broker.getLog()).doesNotContain("tls-no-cert");
	}

	@Test
	void mutualTlsWithUntrustedClientCertificateShouldFail() {
		withClientCertificate(untrustedClient)
			.withPropertyValues("mqtt.url=ssl://127.0.0.1:" + mutualTlsPort, "mqtt.client-id=tls-intruder")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.getReconnectAttempts() >= 2);
				assertThat(manager.isConnected()).isFalse();
			});
		assertThat(broker.getLog()).doesNotContain("tls-intruder");
	}

	@Test
	void unknownBundleShouldFailStartupNamingIt() {
		this.contextRunner.withPropertyValues("mqtt.url=ssl://127.0.0.1:" + tlsPort, "mqtt.ssl.bundle=missing")
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("missing"));
	}

}
