package io.mqttboot.test;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the {@link MoquetteBroker} fallback.
 */
class MoquetteBrokerIntegrationTests {

	@Test
	void clientShouldReceiveWhatItPublishes() {
		try (MoquetteBroker broker = new MoquetteBroker()) {
			broker.start();
			assertThat(broker.getImplementation()).isEqualTo("moquette 0.18.3");
			try (TestClient client = TestClient.to(broker.getUrl()).connect()) {
				client.subscribe("greetings/#");
				client.publish("greetings/moquette", "hello");
				await().until(client::received, (received) -> received.contains("greetings/moquette=hello"));
			}
			// Moquette's interceptor may record the log line after the message was delivered.
			await().untilAsserted(() -> assertThat(broker.getLog()).contains("SUBSCRIBE from", "PUBLISH from"));
		}
	}

	@Test
	void restartShouldKeepThePortAndClientShouldReconnect() {
		try (MoquetteBroker broker = new MoquetteBroker()) {
			broker.start();
			int port = broker.getPort();
			try (TestClient client = TestClient.reconnectingTo(broker.getUrl()).connect()) {
				broker.kill();
				assertThat(broker.isRunning()).isFalse();
				await().until(client::disconnects, (disconnects) -> disconnects >= 1);
				broker.start();
				assertThat(broker.getPort()).isEqualTo(port);
				await().until(client::isConnected);
			}
		}
	}

	@Test
	void createWhenSystemPropertyForcesMoquetteShouldReturnMoquette() {
		String previous = System.setProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY, "moquette");
		try (MqttTestBroker broker = MqttTestBroker.create()) {
			assertThat(broker).isInstanceOf(MoquetteBroker.class);
		}
		finally {
			restore(previous);
		}
	}

	@Test
	void createWhenMoquetteCannotProvideTheOptionsShouldSayWhy() {
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.persistence(true)
			.user("alice", "secret")
			.build();
		assertThatIllegalStateException().isThrownBy(() -> new MoquetteBroker(options))
			.withMessageContaining("Moquette fallback broker cannot provide persistence")
			.withMessageContaining("users (password file)")
			.withMessageContaining("install mosquitto");
	}

	@Test
	void createWhenSystemPropertyIsUnknownShouldSayWhatIsExpected() {
		String previous = System.setProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY, "rabbitmq");
		try {
			assertThatIllegalStateException().isThrownBy(MqttTestBroker::create)
				.withMessage("Invalid value 'rabbitmq' for system property mqttboot.test.broker: "
						+ "expected mosquitto, moquette, hivemq or auto");
		}
		finally {
			restore(previous);
		}
	}

	static void restore(String previous) {
		if (previous == null) {
			System.clearProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY);
		}
		else {
			System.setProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY, previous);
		}
	}

}
