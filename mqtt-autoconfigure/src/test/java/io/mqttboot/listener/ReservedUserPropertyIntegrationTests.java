package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerContainerFactory;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.integration.MqttMessageDrivenChannelAdapter;
import io.mqttboot.integration.MqttPublishingMessageHandler;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.Header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MQTT 5 user properties named like reserved headers ({@code id}, {@code timestamp},
 * {@code contentType}, {@code mqtt_…}) sent by a peer: they reach the listener under
 * {@code mqtt_userProperty_<name>} and leave the message's own headers alone, and nothing
 * is published back as a user property by the outbound side.
 */
class ReservedUserPropertyIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class));

	/**
	 * Publish as another application would: a plain HiveMQ client, not the starter.
	 */
	private static void peerPublish(String topic, String payload, Map<String, String> userProperties) {
		Mqtt5BlockingClient peer = MqttClient.builder()
			.useMqttVersion5()
			.identifier("peer-" + UUID.randomUUID().toString().substring(0, 8))
			.serverHost(broker.getHost())
			.serverPort(broker.getPort())
			.buildBlocking();
		peer.connect();
		try {
			Mqtt5UserPropertiesBuilder properties = Mqtt5UserProperties.builder();
			userProperties.forEach(properties::add);
			peer.publishWith()
				.topic(topic)
				.payload(payload.getBytes(StandardCharsets.UTF_8))
				.qos(MqttQos.AT_LEAST_ONCE)
				.userProperties(properties.build())
				.send();
		}
		finally {
			peer.disconnect();
		}
	}

	@Test
	void userPropertiesNamedIdTimestampAndContentTypeShouldArriveUnderThePrefixAndLeaveTheHeadersIntact() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(ReservedNamesListener.class)
			.run((context) -> {
				ListenerContexts.awaitSubscribed(context);
				peerPublish("reserved/a", "hello", Map.of("id", "peer-id", "timestamp", "1700000000000",
						"contentType", "text/peer", "site", "north"));
				ReservedNamesListener listener = context.getBean(ReservedNamesListener.class);
				Message<?> message = listener.messages.poll(10, TimeUnit.SECONDS);
				assertThat(message).isNotNull();
				assertThat(message.getPayload()).isEqualTo("hello");
				MessageHeaders headers = message.getHeaders();
				// Received messages carry neither id nor timestamp; a peer cannot give them one
				// (a String 'id' made getId() throw).
				assertThat(headers.getId()).isNull();
				assertThat(headers.getTimestamp()).isNull();
				assertThat(headers).doesNotContainKeys(MessageHeaders.ID, MessageHeaders.TIMESTAMP,
						MessageHeaders.CONTENT_TYPE);
				assertThat(headers).containsEntry(MqttHeaders.USER_PROPERTY_PREFIX + "id", "peer-id")
					.containsEntry(MqttHeaders.USER_PROPERTY_PREFIX + "timestamp", "1700000000000")
					.containsEntry(MqttHeaders.USER_PROPERTY_PREFIX + "contentType", "text/peer")
					.containsEntry("site", "north")
					.containsEntry(MqttHeaders.USER_PROPERTIES, Map.of("id", "peer-id", "timestamp",
							"1700000000000", "contentType", "text/peer", "site", "north"));
				assertThat(listener.peerIds.poll(10, TimeUnit.SECONDS)).isEqualTo("peer-id");
			});
	}

	@Test
	void aFlowForwardingAPeerMessageShouldNeitherFollowItsMqttTopicPropertyNorPublishHeadersAsUserProperties() {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.subscribe("fwd/#", 1);
			this.contextRunner
				.withConfiguration(AutoConfigurations.of(IntegrationAutoConfiguration.class))
				.withPropertyValues("mqtt.url=" + broker.getUrl())
				.withUserConfiguration(ForwardingFlow.class)
				.run((context) -> {
					ListenerContexts.awaitSubscribed(context);
					peerPublish("fwd/in", "payload",
							Map.of("id", "peer-id", "timestamp", "1", MqttHeaders.TOPIC, "fwd/hijacked"));
					// Had the flow followed the peer's mqtt_topic, the copy would go to
					// fwd/hijacked and never to fwd/out.
					await().untilAsserted(() -> assertThat(raw.received()).extracting(RawMqttClient.Received::topic)
						.containsExactlyInAnyOrder("fwd/in", "fwd/out"));
					RawMqttClient.Received forwarded = raw.received()
						.stream()
						.filter((received) -> received.topic().equals("fwd/out"))
						.findFirst()
						.orElseThrow();
					assertThat(forwarded.payload()).isEqualTo("payload");
					// The handler maps mqtt_topic, mqtt_qos and mqtt_retained only: no header,
					// id and timestamp included, becomes a user property.
					assertThat(forwarded.publish().getUserProperties().asList()).isEmpty();
					assertThat(context.getBean(MqttListenerEndpointRegistry.class).getListenerContainer("forwardInbound")
						.getProcessed()).isEqualTo(1);
				});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class ReservedNamesListener {

		final BlockingQueue<Message<?>> messages = new LinkedBlockingQueue<>();

		final BlockingQueue<String> peerIds = new LinkedBlockingQueue<>();

		@MqttListener(topics = "reserved/+", qos = 1)
		void on(Message<String> message, @Header(MqttHeaders.USER_PROPERTY_PREFIX + "id") String peerId) {
			this.messages.add(message);
			this.peerIds.add(peerId);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ForwardingFlow {

		@Bean
		MqttMessageDrivenChannelAdapter forwardInbound(MqttListenerEndpointRegistry registry,
				MqttListenerContainerFactory mqttListenerContainerFactory) {
			return new MqttMessageDrivenChannelAdapter(registry, mqttListenerContainerFactory, "fwd/in");
		}

		@Bean
		IntegrationFlow forwardFlow(MqttMessageDrivenChannelAdapter forwardInbound, MqttTemplate mqttTemplate) {
			MqttPublishingMessageHandler handler = new MqttPublishingMessageHandler(mqttTemplate);
			handler.setDefaultTopic("fwd/out");
			return IntegrationFlow.from(forwardInbound).handle(handler).get();
		}

	}

}
