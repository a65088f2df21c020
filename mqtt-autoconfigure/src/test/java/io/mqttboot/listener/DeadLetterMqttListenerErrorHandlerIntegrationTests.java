package io.mqttboot.listener;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a peer subscribed to the dead-letter topic sees: the original MQTT 5 properties next
 * to the failure properties, the copy on the broker of the listener's own client, and what
 * is left of it on MQTT 3.1.1.
 */
@ExtendWith(OutputCaptureExtension.class)
class DeadLetterMqttListenerErrorHandlerIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@RegisterExtension
	static final MqttBrokerExtension edgeBroker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms",
				"mqtt.listener.retry.initial-interval=50ms", "mqtt.listener.dead-letter.enabled=true");

	@Test
	void deadLetterShouldKeepTheOriginalMqtt5PropertiesNextToTheFailureProperties() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(FailingListeners.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				try (RawMqttClient peer = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					peer.subscribe("dlt/#", 1);
					Mqtt5BlockingClient publisher = connect(broker);
					publisher.publish(Mqtt5Publish.builder()
						.topic("payments/7")
						.payload("{\"amount\":7}".getBytes(StandardCharsets.UTF_8))
						.qos(MqttQos.AT_LEAST_ONCE)
						.contentType("application/json")
						.payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
						.responseTopic("replies/7")
						.correlationData("corr-7".getBytes(StandardCharsets.UTF_8))
						.messageExpiryInterval(3600)
						.userProperties(Mqtt5UserProperties.builder().add("tenant", "acme").add("trace", "t-1").build())
						.build());
					publisher.disconnect();
					await().until(() -> !peer.received().isEmpty());
					assertThat(peer.received()).singleElement().satisfies((dead) -> {
						Mqtt5Publish publish = dead.publish();
						assertThat(dead.topic()).isEqualTo("dlt/payments/7");
						assertThat(dead.payload()).isEqualTo("{\"amount\":7}");
						assertThat(dead.qos()).isEqualTo(1);
						assertThat(publish.getContentType()).hasValueSatisfying(
								(contentType) -> assertThat(contentType).hasToString("application/json"));
						assertThat(publish.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
						assertThat(publish.getResponseTopic())
							.hasValueSatisfying((topic) -> assertThat(topic).hasToString("replies/7"));
						assertThat(publish.getCorrelationData().map(DeadLetterMqttListenerErrorHandlerIntegrationTests::utf8))
							.contains("corr-7");
						assertThat(publish.getMessageExpiryInterval()).as("a dead letter does not expire").isEmpty();
						assertThat(userProperties(publish)).containsExactly(Map.entry("tenant", "acme"),
								Map.entry("trace", "t-1"),
								Map.entry("mqtt_dlt_exception", "java.lang.IllegalStateException"),
								Map.entry("mqtt_dlt_exception_message", "payment service down"),
								Map.entry("mqtt_dlt_original_topic", "payments/7"),
								Map.entry("mqtt_dlt_attempts", "3"), Map.entry("mqtt_dlt_listener", "payments"));
					});
					await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
				}
			});
	}

	@Test
	void deadLetterOfAListenerOnANamedClientShouldGoOutOnThatClient() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.clients.edge.url=" + edgeBroker.getUrl())
			.withUserConfiguration(EdgeListener.class)
			.run((context) -> {
				MqttClientManager edge = context.getBean(MqttClientRegistry.class).getClientManager("edge");
				awaitSubscribed(edge);
				try (RawMqttClient defaultPeer = RawMqttClient.connect(broker.getHost(), broker.getPort());
						RawMqttClient edgePeer = RawMqttClient.connect(edgeBroker.getHost(), edgeBroker.getPort())) {
					defaultPeer.subscribe("dlt/#", 1);
					edgePeer.subscribe("dlt/#", 1);
					edgePeer.publish("gates/3", "open-3", 1, false);
					await().until(() -> !edgePeer.received().isEmpty());
					EdgeListener listener = context.getBean(EdgeListener.class);
					assertThat(listener.received).as("the listener on the named client received it")
						.containsExactly("open-3", "open-3", "open-3");
					assertThat(edgePeer.received()).singleElement().satisfies((dead) -> {
						assertThat(dead.topic()).isEqualTo("dlt/gates/3");
						assertThat(dead.payload()).isEqualTo("open-3");
						assertThat(userProperties(dead.publish())).contains(Map.entry("mqtt_dlt_listener", "gates"),
								Map.entry("mqtt_dlt_original_topic", "gates/3"));
					});
					assertThat(defaultPeer.received()).as("nothing on the default client's broker").isEmpty();
					assertThat(container(context, "gates").getFailed()).isOne();
					await().until(() -> edge.getInFlight().getIncomingQos1() == 0);
				}
			});
	}

	@Test
	void deadLetterOnMqtt311ShouldCarryThePayloadOnlyAndWarnAboutNothing(CapturedOutput output) {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.version=3")
			.withUserConfiguration(FailingListeners.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				try (RawMqttClient peer = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					peer.subscribe("dlt/#", 1);
					peer.publish("payments/8", "pay-8", 1, false);
					await().until(() -> !peer.received().isEmpty());
					assertThat(peer.received()).singleElement().satisfies((dead) -> {
						assertThat(dead.topic()).isEqualTo("dlt/payments/8");
						assertThat(dead.payload()).isEqualTo("pay-8");
						assertThat(dead.qos()).isEqualTo(1);
						assertThat(userProperties(dead.publish())).isEmpty();
						assertThat(dead.publish().getContentType()).isEmpty();
					});
					assertThat(container(context, "payments").getFailed()).isOne();
					await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
				}
			});
		assertThat(output).contains("published to dead-letter topic 'dlt/payments/8'")
			.doesNotContain("speaks MQTT 3.1.1");
	}

	private static Mqtt5BlockingClient connect(MqttBrokerExtension target) {
		Mqtt5BlockingClient client = MqttClient.builder()
			.useMqttVersion5()
			.identifier("publisher-" + UUID.randomUUID().toString().substring(0, 8))
			.serverHost(target.getHost())
			.serverPort(target.getPort())
			.buildBlocking();
		client.connect();
		return client;
	}

	private static List<Map.Entry<String, String>> userProperties(Mqtt5Publish publish) {
		return publish.getUserProperties()
			.asList()
			.stream()
			.map((property) -> Map.entry(property.getName().toString(), property.getValue().toString()))
			.toList();
	}

	private static String utf8(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	@Configuration(proxyBeanMethods = false)
	static class FailingListeners {

		@MqttListener(id = "payments", topics = "payments/+", qos = 1)
		void onPayment(String payload) {
			throw new IllegalStateException("payment service down");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EdgeListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "gates", topics = "gates/+", qos = 1, client = "edge")
		void onGate(String payload) {
			this.received.add(payload);
			throw new IllegalStateException("gate controller down");
		}

	}

}
