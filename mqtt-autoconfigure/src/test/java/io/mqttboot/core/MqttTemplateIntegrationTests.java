package io.mqttboot.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Publishing through {@link MqttTemplate} against a real broker, checked by an independent
 * raw client.
 */
class MqttTemplateIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class));

	private RawMqttClient raw;

	@BeforeEach
	void connectRawClient() {
		this.raw = RawMqttClient.connect(broker.get().getHost(), broker.get().getPort());
	}

	@AfterEach
	void closeRawClient() {
		this.raw.close();
	}

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.get().getUrl());
	}

	@ParameterizedTest(name = "publish QoS {0}, subscribe QoS {1} -> delivered QoS {2}")
	@CsvSource({ "0,0,0", "0,1,0", "0,2,0", "1,0,0", "1,1,1", "1,2,1", "2,0,0", "2,1,1", "2,2,2" })
	void publishShouldBeDeliveredWithMinimumOfPublishAndSubscriptionQos(int publishQos, int subscribeQos,
			int deliveredQos) {
		String topic = "qos/" + publishQos + "/" + subscribeQos;
		this.raw.subscribe(topic, subscribeQos);
		runner().run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			MqttPublishResult result = template.newMessage("hello").topic(topic).qos(publishQos).publish();
			assertThat(result.qos()).isEqualTo(publishQos);
			await().untilAsserted(() -> assertThat(this.raw.received()).singleElement().satisfies((message) -> {
				assertThat(message.topic()).isEqualTo(topic);
				assertThat(message.payload()).isEqualTo("hello");
				assertThat(message.qos()).isEqualTo(deliveredQos);
			}));
		});
	}

	@Test
	void publishAsyncShouldCompleteWhenBrokerAcknowledges() {
		this.raw.subscribe("async/#", 2);
		runner().run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			List<CompletableFuture<MqttPublishResult>> futures = new java.util.ArrayList<>();
			for (int i = 0; i < 100; i++) {
				futures.add(template.newMessage("m" + i).topic("async/" + (i % 3)).qos(i % 3).publishAsync());
			}
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
			// Each future carries the broker's answer to its own message.
			assertThat(futures.stream().map(CompletableFuture::join).toList())
				.extracting(MqttPublishResult::topic, MqttPublishResult::qos, MqttPublishResult::reasonCode)
				.containsExactlyElementsOf(
						IntStream.range(0, 100).mapToObj((i) -> tuple("async/" + (i % 3), i % 3, 0)).toList());
			await().untilAsserted(() -> assertThat(this.raw.payloads()).containsExactlyInAnyOrderElementsOf(
					IntStream.range(0, 100).mapToObj((i) -> "m" + i).toList()));
		});
	}

	@Test
	void retainedMessageShouldReachLaterSubscriberUntilClearedByEmptyRetainedPublish() {
		runner().run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			template.newMessage("21.5").topic("retained/temp").qos(1).retain(true).publish();
			try (RawMqttClient late = RawMqttClient.connect(broker.get().getHost(), broker.get().getPort())) {
				late.subscribe("retained/temp", 1);
				await().untilAsserted(() -> assertThat(late.received()).singleElement().satisfies((message) -> {
					assertThat(message.payload()).isEqualTo("21.5");
					assertThat(message.retain()).isTrue();
				}));
			}
			template.newMessage(new byte[0]).topic("retained/temp").qos(1).retain(true).publish();
			try (RawMqttClient later = RawMqttClient.connect(broker.get().getHost(), broker.get().getPort())) {
				later.subscribe("retained/#", 1);
				template.newMessage("marker").topic("retained/marker").qos(1).publish();
				// The marker arrives after any retained message would have: only it is there.
				await().untilAsserted(() -> assertThat(later.payloads()).containsExactly("marker"));
			}
		});
	}

	@Test
	void publishShouldConvertObjectsToJsonAndSendMqtt5Properties() {
		this.raw.subscribe("json/#", 1);
		runner().run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			template.newMessage(new Reading("dev-1", 21.5))
				.topic("json/reading")
				.userProperty("source", "test")
				.responseTopic("json/reply")
				.correlationData("c-1".getBytes(StandardCharsets.UTF_8))
				.publish();
			await().untilAsserted(() -> assertThat(this.raw.received()).singleElement().satisfies((message) -> {
				assertThat(message.payload()).isEqualTo("{\"deviceId\":\"dev-1\",\"celsius\":21.5}");
				assertThat(message.publish().getContentType()).hasValueSatisfying(
						(contentType) -> assertThat(contentType.toString()).isEqualTo("application/json"));
				assertThat(message.publish().getUserProperties().asList())
					.anySatisfy((property) -> assertThat(property.getName() + "=" + property.getValue())
						.isEqualTo("source=test"));
				assertThat(message.publish().getResponseTopic())
					.hasValueSatisfying((topic) -> assertThat(topic.toString()).isEqualTo("json/reply"));
				assertThat(message.publish()
					.getCorrelationData()
					.map((data) -> StandardCharsets.UTF_8.decode(data).toString())).hasValue("c-1");
			}));
		});
	}

	@Test
	void publishShouldUseDefaultQosAndRetainFromProperties() {
		this.raw.subscribe("defaults/#", 2);
		runner().withPropertyValues("mqtt.publish.qos=2", "mqtt.publish.retain=true").run((context) -> {
			MqttPublishResult result = context.getBean(MqttTemplate.class).publish("defaults/a", "x");
			assertThat(result.qos()).isEqualTo(2);
			assertThat(result.retain()).isTrue();
			await().untilAsserted(() -> assertThat(this.raw.received()).singleElement()
				.satisfies((message) -> assertThat(message.qos()).isEqualTo(2)));
			context.getBean(MqttTemplate.class).newMessage(new byte[0]).topic("defaults/a").publish();
		});
	}

	@Test
	void publishShouldWorkOnMqtt311() {
		this.raw.subscribe("v3/#", 2);
		runner().withPropertyValues("mqtt.version=3").run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			assertThat(template.getClientManager().getSettings().getVersion()).isEqualTo(MqttVersion.MQTT_3_1_1);
			template.newMessage("three").topic("v3/a").qos(2).publish();
			await().untilAsserted(() -> assertThat(this.raw.received()).singleElement().satisfies((message) -> {
				assertThat(message.payload()).isEqualTo("three");
				assertThat(message.qos()).isEqualTo(2);
			}));
		});
	}

	@Test
	void publishWhenTopicIsInvalidShouldThrowBeforeAnyIo() {
		// Broker unreachable and client not connected: validation must not need the network.
		this.contextRunner.withPropertyValues("mqtt.url=tcp://127.0.0.1:1", "mqtt.reconnect.initial-delay=1h",
				"mqtt.reconnect.max-delay=1h")
			.run((context) -> {
				MqttTemplate template = context.getBean(MqttTemplate.class);
				assertThatIllegalArgumentException().isThrownBy(() -> template.publish("a/+/b", "x"))
					.withMessageContaining("'a/+/b'")
					.withMessageContaining("MQTT-3.3.2-2");
				assertThatIllegalArgumentException().isThrownBy(() -> template.publishAsync("a/#", "x"))
					.withMessageContaining("'a/#'");
				assertThatIllegalArgumentException().isThrownBy(() -> template.publish("", "x"))
					.withMessageContaining("MQTT-4.7.3-1");
				assertThatIllegalArgumentException().isThrownBy(() -> template.publish("a\u0000b", "x"))
					.withMessageContaining("MQTT-4.7.3-2");
				assertThatIllegalArgumentException()
					.isThrownBy(() -> template.publish("t".repeat(65_536), "x"))
					.withMessageContaining("65536");
				assertThatIllegalArgumentException()
					.isThrownBy(() -> template.newMessage("x").topic("a/b").qos(3))
					.withMessageContaining("QoS must be 0, 1 or 2 but was 3");
				assertThat(template.getClientManager().getOutboxSize()).isZero();
			});
	}

	@Test
	void publishFromManyThreadsShouldDeliverEveryMessage() {
		this.raw.subscribe("threads/#", 1);
		runner().run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			List<Thread> threads = new java.util.ArrayList<>();
			for (int t = 0; t < 8; t++) {
				int thread = t;
				Thread publisher = new Thread(() -> {
					for (int i = 0; i < 250; i++) {
						template.newMessage(thread + "-" + i).topic("threads/" + thread).qos(1).publish();
					}
				});
				publisher.start();
				threads.add(publisher);
			}
			for (Thread thread : threads) {
				thread.join();
			}
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.raw.received()).hasSize(2000));
			assertThat(this.raw.payloads()).doesNotHaveDuplicates();
			assertThat(template.getClientManager().getInFlight().getOutgoingQos1()).isZero();
		});
	}

	record Reading(String deviceId, double celsius) {
	}

}
