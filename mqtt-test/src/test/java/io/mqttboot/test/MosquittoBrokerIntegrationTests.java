package io.mqttboot.test;

import java.nio.file.Files;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link MosquittoBroker}: lifecycle of the real process.
 */
@MqttBrokerTest
class MosquittoBrokerIntegrationTests {

	@BeforeAll
	static void requireMosquitto(MqttTestBroker broker) {
		assumeThat(broker).as("mosquitto (not the Moquette fallback)").isInstanceOf(MosquittoBroker.class);
	}

	@Test
	void brokerShouldRunMosquittoOnLoopback(MqttTestBroker broker) {
		assertThat(broker).isInstanceOf(MosquittoBroker.class);
		assertThat(broker.isRunning()).isTrue();
		assertThat(broker.getImplementation()).startsWith("mosquitto 2.");
		assertThat(broker.getHost()).isEqualTo("127.0.0.1");
		assertThat(broker.getUrl()).isEqualTo("tcp://127.0.0.1:" + broker.getPort());
		assertThat(broker.getLog()).contains("Opening ipv4 listen socket on port " + broker.getPort());
	}

	@Test
	void clientShouldReceiveWhatItPublishes(MqttTestBroker broker) {
		try (TestClient client = TestClient.to(broker.getUrl()).connect()) {
			client.subscribe("greetings/#");
			client.publish("greetings/world", "hello");
			await().until(client::received, (received) -> received.contains("greetings/world=hello"));
		}
	}

	@Test
	void restartShouldKeepThePortAndClientShouldReconnect(MqttTestBroker broker) {
		int port = broker.getPort();
		try (TestClient client = TestClient.reconnectingTo(broker.getUrl()).connect()) {
			broker.stop();
			assertThat(broker.isRunning()).isFalse();
			await().until(client::disconnects, (disconnects) -> disconnects >= 1);
			broker.start();
			assertThat(broker.getPort()).isEqualTo(port);
			await().until(client::isConnected);
			client.subscribe("after/restart");
			client.publish("after/restart", "back");
			await().until(client::received, (received) -> received.contains("after/restart=back"));
		}
	}

	@Test
	void killShouldDropClientsAndStartShouldBringTheBrokerBack(MqttTestBroker broker) {
		try (TestClient client = TestClient.to(broker.getUrl()).connect()) {
			broker.kill();
			assertThat(broker.isRunning()).isFalse();
			await().until(client::disconnects, (disconnects) -> disconnects >= 1);
		}
		broker.start();
		assertThat(broker.getLog()).contains("mosquitto killed");
		try (TestClient client = TestClient.to(broker.getUrl()).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void startWhenConfigurationIsInvalidShouldFailWithTheBrokerLog() {
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder().extraConfig("no_such_option 1").build();
		try (MosquittoBroker broker = new MosquittoBroker(options)) {
			assertThatIllegalStateException().isThrownBy(broker::start)
				.withMessageContaining("mosquitto exited with code")
				.withMessageContaining("no_such_option");
			assertThat(broker.isRunning()).isFalse();
		}
	}

	@Test
	void configurationShouldBindLoopbackAndQueueGenerously() throws Exception {
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.maxPacketSize(1024)
			.maxInflightMessages(5)
			.build();
		try (MosquittoBroker broker = new MosquittoBroker(options)) {
			assertThat(Files.readAllLines(broker.getConfigFile())).contains(
					"listener " + broker.getPort() + " 127.0.0.1", "max_queued_messages 100000", "max_packet_size 1024",
					"max_inflight_messages 5", "persistence false");
		}
	}

}
