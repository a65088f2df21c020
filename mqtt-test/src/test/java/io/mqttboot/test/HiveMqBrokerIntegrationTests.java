package io.mqttboot.test;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Integration tests for {@link HiveMqBroker}: HiveMQ CE in a child JVM.
 */
class HiveMqBrokerIntegrationTests {

	@BeforeAll
	static void hiveMqCanRun() {
		String reason = HiveMqBroker.unavailableReason();
		assumeTrue(reason == null, () -> "HiveMQ CE cannot run here: " + reason);
	}

	@Test
	void clientShouldReceiveWhatItPublishesAndReconnectAfterARestart() {
		try (HiveMqBroker broker = new HiveMqBroker()) {
			broker.start();
			assertThat(broker.getImplementation()).isEqualTo("hivemq-ce 2025.5");
			int port = broker.getPort();
			try (TestClient client = TestClient.reconnectingTo(broker.getUrl()).connect()) {
				client.subscribe("greetings/#");
				client.publish("greetings/hivemq", "hello");
				await().until(client::received, (received) -> received.contains("greetings/hivemq=hello"));
				broker.restart();
				assertThat(broker.getPort()).isEqualTo(port);
				await().until(client::disconnects, (disconnects) -> disconnects >= 1);
				await().until(client::isConnected);
			}
			assertThat(broker.getLog()).contains("Started EmbeddedHiveMQ");
		}
	}

	@Test
	void createWhenSystemPropertyForcesHiveMqShouldReturnHiveMq() {
		String previous = System.setProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY, "hivemq");
		try (MqttTestBroker broker = MqttTestBroker.create()) {
			assertThat(broker).isInstanceOf(HiveMqBroker.class);
		}
		finally {
			MoquetteBrokerIntegrationTests.restore(previous);
		}
	}

	@Test
	void createWhenHiveMqCannotProvideTheOptionsShouldSayWhy() {
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.user("alice", "secret")
			.acl("topic read a/#")
			.build();
		assertThatIllegalStateException().isThrownBy(() -> new HiveMqBroker(options))
			.withMessage("The HiveMQ CE test broker cannot provide users, acl");
	}

}
