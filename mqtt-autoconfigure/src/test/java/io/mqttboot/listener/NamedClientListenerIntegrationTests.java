package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;

import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.actuate.endpoint.MqttEndpoint.ClientDescriptor;
import io.mqttboot.actuate.endpoint.MqttEndpoint.ListenerDescriptor;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttVersion;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * {@code @MqttListener(client = …)} on a client configured under {@code mqtt.clients.<name>}
 * receives on that client's own connection, next to listeners on the default client, on
 * MQTT 5 and on MQTT 3.1.1.
 */
class NamedClientListenerIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("spring.application.name=fleet", "mqtt.url=" + broker.getUrl());

	/**
	 * Publish as another application would: a plain MQTT 5 client with a user property.
	 */
	private static void peerPublish(String topic, String payload) {
		Mqtt5BlockingClient peer = MqttClient.builder()
			.useMqttVersion5()
			.identifier("peer-" + UUID.randomUUID().toString().substring(0, 8))
			.serverHost(broker.getHost())
			.serverPort(broker.getPort())
			.buildBlocking();
		peer.connect();
		try {
			peer.publishWith()
				.topic(topic)
				.payload(payload.getBytes(StandardCharsets.UTF_8))
				.qos(MqttQos.AT_LEAST_ONCE)
				.userProperties(Mqtt5UserProperties.builder().add("site", "north").build())
				.send();
		}
		finally {
			peer.disconnect();
		}
	}

	private static MqttEndpoint endpoint(ApplicationContext context) {
		return new MqttEndpoint(context.getBean(MqttClientRegistry.class),
				context.getBean(MqttListenerEndpointRegistry.class));
	}

	@Test
	void listenersOnTheDefaultAndANamedClientShouldEachReceiveOnTheirOwnConnection() {
		this.contextRunner.withPropertyValues("mqtt.clients.telemetry.url=" + broker.getUrl())
			.withUserConfiguration(TwoClientListeners.class)
			.run((context) -> {
				MqttClientManager defaultClient = awaitGranted(context, "default");
				MqttClientManager telemetry = awaitGranted(context, "telemetry");
				peerPublish("fleet/default/1", "d");
				peerPublish("fleet/telemetry/1", "t");
				// Both connections subscribe to fleet/all: the broker sends one copy to each.
				peerPublish("fleet/all", "a");
				TwoClientListeners listeners = context.getBean(TwoClientListeners.class);
				await().untilAsserted(() -> {
					assertThat(listeners.onDefault).containsExactlyInAnyOrder("default:d", "default:a");
					assertThat(listeners.onTelemetry).containsExactlyInAnyOrder("telemetry:t", "telemetry:a");
				});
				assertThat(telemetry.getClientId()).startsWith("fleet-telemetry-")
					.isNotEqualTo(defaultClient.getClientId());
				assertThat(defaultClient.getReceivedCount(1)).isEqualTo(2);
				assertThat(telemetry.getReceivedCount(1)).isEqualTo(2);
				Map<String, ClientDescriptor> clients = endpoint(context).clients().clients();
				assertThat(clients.get("default").clientId()).isEqualTo(defaultClient.getClientId());
				assertThat(clients.get("default").subscriptions()).extracting("filter")
					.containsExactlyInAnyOrder("fleet/default/+", "fleet/all");
				assertThat(clients.get("default").listeners())
					.extracting(ListenerDescriptor::id, ListenerDescriptor::processed)
					.containsExactly(tuple("onDefault", 2L));
				assertThat(clients.get("telemetry").clientId()).isEqualTo(telemetry.getClientId());
				assertThat(clients.get("telemetry").subscriptions()).extracting("filter")
					.containsExactlyInAnyOrder("fleet/telemetry/+", "fleet/all");
				assertThat(clients.get("telemetry").listeners())
					.extracting(ListenerDescriptor::id, ListenerDescriptor::processed)
					.containsExactly(tuple("onTelemetry", 2L));
			});
	}

	@Test
	void listenerOnANamedMqtt311ClientShouldReceive() {
		this.contextRunner
			.withPropertyValues("mqtt.clients.legacy.url=" + broker.getUrl(), "mqtt.clients.legacy.version=3")
			.withUserConfiguration(LegacyClientListener.class)
			.run((context) -> {
				MqttClientManager legacy = awaitGranted(context, "legacy");
				assertThat(legacy.getSettings().getVersion()).isEqualTo(MqttVersion.MQTT_3_1_1);
				peerPublish("legacy/1", "old");
				LegacyClientListener listener = context.getBean(LegacyClientListener.class);
				// MQTT 3.1.1 has no user properties: the peer's 'site' does not arrive, which
				// shows the message came over the 3.1.1 connection.
				await().untilAsserted(() -> assertThat(listener.received).containsExactly("legacy:old:1:site=null"));
				assertThat(legacy.getReceivedCount(1)).isEqualTo(1);
				assertThat(context.getBean(MqttClientManager.class).getReceivedCount(1)).isZero();
				assertThat(endpoint(context).clients().clients().get("legacy").listeners())
					.extracting(ListenerDescriptor::id, ListenerDescriptor::processed)
					.containsExactly(tuple("onLegacy", 1L));
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoClientListeners {

		final List<String> onDefault = new CopyOnWriteArrayList<>();

		final List<String> onTelemetry = new CopyOnWriteArrayList<>();

		@MqttListener(id = "onDefault", topics = { "fleet/default/+", "fleet/all" }, qos = 1)
		void onDefault(String payload, @Header(MqttHeaders.CLIENT) String client) {
			this.onDefault.add(client + ":" + payload);
		}

		@MqttListener(id = "onTelemetry", topics = { "fleet/telemetry/+", "fleet/all" }, qos = 1,
				client = "telemetry")
		void onTelemetry(String payload, @Header(MqttHeaders.CLIENT) String client) {
			this.onTelemetry.add(client + ":" + payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LegacyClientListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "onLegacy", topics = "legacy/+", qos = 1, client = "legacy")
		void onLegacy(String payload, @Headers Map<String, Object> headers) {
			this.received.add(headers.get(MqttHeaders.CLIENT) + ":" + payload + ":"
					+ headers.get(MqttHeaders.RECEIVED_QOS) + ":site=" + headers.get("site"));
		}

	}

}
