package io.mqttboot.core;

import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Authentication against a broker that requires a password, with every log line captured
 * at DEBUG to prove that no credential is ever written.
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttCredentialsIntegrationTests {

	private static final String PASSWORD = "Xq7-s3cr3t-pw";

	private static final String WRONG_PASSWORD = "Wr0ng-s3cr3t-pw";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder()
		.allowAnonymous(false)
		.user("alice", PASSWORD)
		.build();

	private static final Map<String, Level> previousLevels = new java.util.HashMap<>();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=200ms", "mqtt.reconnect.max-delay=400ms");

	@BeforeAll
	static void logEverything() {
		for (String name : new String[] { "io.mqttboot", "com.hivemq", "org.springframework.boot.context" }) {
			Logger logger = (Logger) LoggerFactory.getLogger(name);
			previousLevels.put(name, logger.getLevel());
			logger.setLevel(Level.TRACE);
		}
	}

	@AfterAll
	static void restoreLevels() {
		previousLevels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
	}

	@Test
	void rightCredentialsShouldConnectAndNotBeLogged(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.url=" + broker.get().getUrl(), "mqtt.username=alice", "mqtt.password=" + PASSWORD)
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(manager::isConnected);
				context.getBean(MqttTemplate.class).publish("auth/ok", "x");
				assertThat(manager.toString()).doesNotContain(PASSWORD);
			});
		assertThat(output).contains("connected to " + broker.get().getUrl()).doesNotContain(PASSWORD);
	}

	@Test
	void credentialsInUrlShouldConnectAndNotBeLogged(CapturedOutput output) {
		String url = broker.get().getUrl().replace("tcp://", "tcp://alice:" + PASSWORD + "@");
		this.contextRunner.withPropertyValues("mqtt.url=" + url).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(manager::isConnected);
			assertThat(manager.getServerUri().toString()).doesNotContain(PASSWORD).doesNotContain("alice");
		});
		assertThat(output).contains("connected to").doesNotContain(PASSWORD);
	}

	@Test
	void wrongCredentialsShouldKeepRetryingWithClearReasonAndNotBeLogged(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.url=" + broker.get().getUrl(), "mqtt.username=alice",
					"mqtt.password=" + WRONG_PASSWORD)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.getReconnectAttempts() >= 2);
				assertThat(manager.getState()).isEqualTo(MqttConnectionState.RECONNECTING);
				assertThat(manager.getLastDisconnectCause()).hasMessageContaining("NOT_AUTHORIZED");
			});
		assertThat(output).contains("NOT_AUTHORIZED").doesNotContain(WRONG_PASSWORD);
	}

}
