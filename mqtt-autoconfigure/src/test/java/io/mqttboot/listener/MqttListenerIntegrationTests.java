package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.Payload;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @MqttListener} methods receiving from a real broker: argument resolution,
 * overlapping filters, acknowledgement after processing and publishing from a listener.
 */
class MqttListenerIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	@Test
	void listenerShouldReceivePayloadTopicVariablesAndHeaders() {
		runner().withUserConfiguration(SensorListener.class).run((context) -> {
			awaitSubscribed(context.getBean(MqttClientManager.class));
			MqttTemplate template = context.getBean(MqttTemplate.class);
			template.newMessage(new Reading("kitchen", 21.5)).topic("sensors/dev-7/temp").qos(1)
				.userProperty("site", "berlin").publish();
			SensorListener listener = context.getBean(SensorListener.class);
			await().untilAsserted(() -> assertThat(listener.received).singleElement()
				.isEqualTo("dev-7|kitchen|21.5|sensors/dev-7/temp|1|false|berlin|" + "mqtt-"));
		});
	}

	@Test
	void listenerShouldResolveMessageBytesStringAndRawMessageParameters() {
		runner().withUserConfiguration(TypesListener.class).run((context) -> {
			awaitSubscribed(context.getBean(MqttClientManager.class));
			MqttTemplate template = context.getBean(MqttTemplate.class);
			template.newMessage(new Reading("hall", 19.0)).topic("types/message").publish();
			template.publish("types/bytes", new byte[] { 1, 2, 3 });
			template.publish("types/string", "grüße");
			template.publish("types/raw", "raw");
			TypesListener listener = context.getBean(TypesListener.class);
			await().untilAsserted(() -> assertThat(listener.received).containsExactlyInAnyOrder(
					"message:hall@types/message", "bytes:3", "string:grüße", "raw:types/raw:1"));
		});
	}

	@ParameterizedTest(name = "MQTT version {0}")
	@ValueSource(ints = { 5, 3 })
	void overlappingFiltersShouldDeliverEachMessageOnceToEachListener(int version) {
		runner().withPropertyValues("mqtt.version=" + version).withUserConfiguration(OverlapListeners.class)
			.run((context) -> {
				awaitSubscribed(context.getBean(MqttClientManager.class));
				MqttTemplate template = context.getBean(MqttTemplate.class);
				template.newMessage("1").topic("overlap/b").qos(1).publish();
				template.newMessage("2").topic("overlap/b/c").qos(1).publish();
				template.newMessage("3").topic("overlap/x").qos(1).publish();
				template.newMessage("end").topic("overlap/end").qos(1).publish();
				OverlapListeners listeners = context.getBean(OverlapListeners.class);
				await().untilAsserted(() -> assertThat(listeners.all).contains("end"));
				assertThat(listeners.all).containsExactly("1", "2", "3", "end");
				assertThat(listeners.plus).containsExactly("1", "3", "end");
				assertThat(listeners.exact).containsExactly("1");
				assertThat(listeners.twoFilters).containsExactly("1", "3", "end");
			});
	}

	@Test
	void qos1MessageShouldBeAcknowledgedOnlyAfterTheListenerReturns() {
		runner().withUserConfiguration(BlockingListener.class).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			awaitSubscribed(manager);
			context.getBean(MqttTemplate.class).newMessage("x").topic("blocking/a").qos(1).publish();
			BlockingListener listener = context.getBean(BlockingListener.class);
			await().until(() -> listener.entered.getCount() == 0);
			assertThat(manager.getInFlight().getIncomingQos1()).isEqualTo(1);
			listener.release.countDown();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
		});
	}

	@Test
	void listenerPublishingAndWaitingForAcknowledgementShouldNotDeadlock() {
		runner().withUserConfiguration(RelayListener.class).run((context) -> {
			awaitSubscribed(context.getBean(MqttClientManager.class));
			MqttTemplate template = context.getBean(MqttTemplate.class);
			for (int i = 0; i < 200; i++) {
				template.newMessage(Integer.toString(i)).topic("relay/in/" + (i % 4)).qos(1).publishAsync();
			}
			RelayListener relay = context.getBean(RelayListener.class);
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(relay.relayed).hasSize(200));
			assertThat(relay.relayed).doesNotHaveDuplicates();
		});
	}

	@Test
	void contextStopAndStartShouldReconnectResubscribeAndReceiveAgain() {
		runner().withUserConfiguration(TypesListener.class).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			awaitSubscribed(manager);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			template.publish("types/string", "before");
			TypesListener listener = context.getBean(TypesListener.class);
			await().untilAsserted(() -> assertThat(listener.received).contains("string:before"));
			context.stop();
			assertThat(manager.isRunning()).isFalse();
			context.start();
			awaitSubscribed(manager);
			template.publish("types/string", "after");
			await().untilAsserted(() -> assertThat(listener.received).contains("string:after"));
		});
	}

	@Test
	void listenerOnCleanSessionShouldReceiveAgainAfterTheBrokerRestarted() {
		runner().withUserConfiguration(TypesListener.class).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			awaitSubscribed(manager);
			broker.get().restart();
			// The new broker knows no session: the client must resubscribe and keep receiving.
			await().until(() -> manager.isConnected() && !manager.isSessionPresent()
					&& manager.getReconnectCount() >= 1);
			awaitSubscribed(manager);
			TypesListener listener = context.getBean(TypesListener.class);
			await().untilAsserted(() -> {
				context.getBean(MqttTemplate.class).publish("types/string", "after restart");
				assertThat(listener.received).contains("string:after restart");
			});
		});
	}

	record Reading(String room, double celsius) {
	}

	@Configuration(proxyBeanMethods = false)
	static class SensorListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(topics = "sensors/{deviceId}/temp", qos = 1)
		void onTemp(@Payload Reading reading, @TopicVariable String deviceId,
				@Header(MqttHeaders.RECEIVED_TOPIC) String topic, @Header(MqttHeaders.RECEIVED_QOS) int qos,
				@Header(MqttHeaders.RECEIVED_RETAINED) boolean retained, @Header("site") String site,
				@Headers Map<String, Object> headers) {
			String thread = Thread.currentThread().getName();
			this.received.add(String.join("|", deviceId, reading.room(), Double.toString(reading.celsius()), topic,
					Integer.toString(qos), Boolean.toString(retained), site,
					thread.substring(0, Math.min(5, thread.length()))));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypesListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener("types/message")
		void onMessage(Message<Reading> message) {
			this.received.add("message:" + message.getPayload().room() + "@"
					+ message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC));
		}

		@MqttListener("types/bytes")
		void onBytes(byte[] payload) {
			this.received.add("bytes:" + payload.length);
		}

		@MqttListener("types/string")
		void onString(String payload) {
			this.received.add("string:" + payload);
		}

		@MqttListener("types/raw")
		void onRaw(MqttReceivedMessage message) {
			this.received.add("raw:" + message.getTopic() + ":" + message.getQos());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OverlapListeners {

		final List<String> all = new CopyOnWriteArrayList<>();

		final List<String> plus = new CopyOnWriteArrayList<>();

		final List<String> exact = new CopyOnWriteArrayList<>();

		final List<String> twoFilters = new CopyOnWriteArrayList<>();

		@MqttListener("overlap/#")
		void all(String payload) {
			this.all.add(payload);
		}

		@MqttListener("overlap/+")
		void plus(String payload) {
			this.plus.add(payload);
		}

		@MqttListener(topics = "overlap/b", qos = 2)
		void exact(String payload) {
			this.exact.add(payload);
		}

		@MqttListener(topics = { "overlap/b", "overlap/+" }, qos = 0)
		void twoFilters(String payload) {
			this.twoFilters.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingListener {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@MqttListener(topics = "blocking/+", qos = 1)
		void onMessage(String payload) throws InterruptedException {
			this.entered.countDown();
			this.release.await(30, TimeUnit.SECONDS);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RelayListener {

		final List<String> relayed = new CopyOnWriteArrayList<>();

		private final MqttTemplate template;

		RelayListener(MqttTemplate template) {
			this.template = template;
		}

		@MqttListener(topics = "relay/in/+", qos = 1, concurrency = "2")
		void onIn(String payload) {
			this.template.newMessage(payload).topic("relay/out").qos(2).publish();
		}

		@MqttListener(topics = "relay/out", qos = 1)
		void onOut(byte[] payload) {
			this.relayed.add(new String(payload, StandardCharsets.UTF_8));
		}

	}

}
