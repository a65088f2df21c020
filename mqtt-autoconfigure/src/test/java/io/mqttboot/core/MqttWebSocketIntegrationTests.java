package io.mqttboot.core;

import java.io.IOException;
import java.net.ServerSocket;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MosquittoBroker;
import io.mqttboot.test.MqttTestBroker;
import io.mqttboot.test.MqttTestBrokerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ws://} URLs against a mosquitto WebSocket listener.
 */
class MqttWebSocketIntegrationTests {

	static MqttTestBroker broker;

	static int webSocketPort;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class));

	@BeforeAll
	static void startBrokerWithWebSocketListener() throws IOException {
		assumeTrue(MosquittoBroker.isAvailable(), "needs mosquitto for its TLS/WebSocket listeners");
		try (ServerSocket socket = new ServerSocket(0)) {
			webSocketPort = socket.getLocalPort();
		}
		broker = new MosquittoBroker(MqttTestBrokerOptions.builder()
			.extraConfig("listener " + webSocketPort + " 127.0.0.1", "protocol websockets")
			.build());
		broker.start();
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.close();
		}
	}

	@Test
	void webSocketUrlShouldConnectAndPublish() {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.subscribe("ws/#", 1);
			this.contextRunner.withPropertyValues("mqtt.url=ws://127.0.0.1:" + webSocketPort + "/mqtt")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					await().until(manager::isConnected);
					assertThat(manager.getSettings().isWebSocket()).isTrue();
					context.getBean(MqttTemplate.class).newMessage("over websocket").topic("ws/a").qos(1).publish();
					await().untilAsserted(() -> assertThat(raw.payloads()).containsExactly("over websocket"));
				});
		}
	}

}
