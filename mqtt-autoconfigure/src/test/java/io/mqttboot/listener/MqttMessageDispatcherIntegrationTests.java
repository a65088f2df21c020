package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttSubscriptionStatus;
import io.mqttboot.listener.ConcurrentMqttListenerContainerIntegrationTests.AsyncPublisher;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.util.ReflectionTestUtils;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link MqttMessageDispatcher} against a real broker: the containers it remembers per
 * topic name must follow containers starting and stopping, and more topic names than it
 * remembers must still be routed.
 * <p>
 * The listeners {@code routes/#} and {@code routes/+/1} overlap, so the client holds one
 * broker subscription {@code routes/#} however many of them run: only the dispatcher
 * decides which of them gets a message.
 */
class MqttMessageDispatcherIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	private RawMqttClient publisher;

	@BeforeEach
	void connectPublisher() {
		this.publisher = RawMqttClient.connect(broker.getHost(), broker.getPort());
	}

	@AfterEach
	void closePublisher() {
		this.publisher.close();
	}

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	@Test
	void containerStartedAfterATopicWasRoutedToAnotherShouldReceiveTheNextMessagesOfThatTopic() {
		runner().withUserConfiguration(OverlappingListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			OverlappingListeners listeners = context.getBean(OverlappingListeners.class);
			MqttListenerContainer narrow = container(context, "narrow");
			narrow.stop();
			assertThat(filters(manager)).containsExactly("routes/#");
			// Routed (and remembered) while only the wide listener runs.
			this.publisher.publish("routes/a/1", "before-start", 1, false);
			await().untilAsserted(() -> assertThat(listeners.wide).containsExactly("routes/a/1=before-start"));
			narrow.start();
			this.publisher.publish("routes/a/1", "after-start", 1, false);
			await().untilAsserted(() -> assertThat(listeners.narrow).containsExactly("routes/a/1=after-start"));
			await().untilAsserted(() -> assertThat(listeners.wide).containsExactly("routes/a/1=before-start",
					"routes/a/1=after-start"));
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
		});
	}

	@Test
	void stoppedContainerShouldNoLongerGetMessagesOfATopicRoutedToItBefore() {
		runner().withUserConfiguration(OverlappingListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			OverlappingListeners listeners = context.getBean(OverlappingListeners.class);
			MqttListenerContainer narrow = container(context, "narrow");
			this.publisher.publish("routes/b/1", "both", 1, false);
			await().untilAsserted(() -> assertThat(listeners.narrow).containsExactly("routes/b/1=both"));
			await().untilAsserted(() -> assertThat(listeners.wide).containsExactly("routes/b/1=both"));
			narrow.stop();
			assertThat(filters(manager)).containsExactly("routes/#");
			this.publisher.publish("routes/b/1", "after-stop", 1, false);
			await().untilAsserted(
					() -> assertThat(listeners.wide).containsExactly("routes/b/1=both", "routes/b/1=after-stop"));
			// Handed to the stopped container, the message would wait in its queue, never
			// acknowledged.
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			assertThat(narrow.getQueued()).isZero();
			assertThat(narrow.getProcessed()).isEqualTo(1);
			assertThat(listeners.narrow).containsExactly("routes/b/1=both");
		});
	}

	@Test
	void moreDistinctTopicNamesThanTheDispatcherRemembersShouldAllBeRouted() throws Exception {
		int topics = 5000;
		runner().withUserConfiguration(ManyTopicListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			ManyTopicListeners listeners = context.getBean(ManyTopicListeners.class);
			List<String> sent = IntStream.range(0, topics)
				.mapToObj((i) -> "many/" + i + "/" + ((i % 2 == 0) ? "even" : "odd") + ":" + i)
				.toList();
			try (AsyncPublisher publisher = new AsyncPublisher(broker.get())) {
				List<CompletableFuture<?>> published = publisher.publish(sent, 1);
				CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> listeners.all.size() == topics && listeners.even.size() == topics / 2);
			assertThat(listeners.all).hasSize(topics)
				.containsExactlyInAnyOrderElementsOf(sent.stream().map((entry) -> entry.replace(':', '=')).toList());
			assertThat(listeners.even).allSatisfy((entry) -> assertThat(entry).contains("/even="))
				.hasSize(topics / 2)
				.doesNotHaveDuplicates();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			assertThat(container(context, "all").getProcessed()).isEqualTo(topics);
			assertThat(container(context, "even").getProcessed()).isEqualTo(topics / 2);
			// White box: the remembered routes stay bounded (4096 topic names) and are kept
			// when more names arrive, rather than emptied and rebuilt (benchmark B8).
			Object dispatcher = ReflectionTestUtils.getField(manager, "inboundHandler");
			assertThat(dispatcher).isInstanceOf(MqttMessageDispatcher.class);
			Object routes = ReflectionTestUtils.getField(dispatcher, "routes");
			@SuppressWarnings("unchecked")
			Map<String, ?> cache = (Map<String, ?>) ReflectionTestUtils.getField(routes, "cache");
			assertThat(cache).hasSize(4096).containsKeys("many/0/even", "many/1/odd");
		});
	}

	private static List<String> filters(MqttClientManager manager) {
		return manager.getSubscriptions().stream().map(MqttSubscriptionStatus::filter).toList();
	}

	private static String entry(MqttReceivedMessage message) {
		return message.getTopic() + "=" + new String(message.getPayload(), StandardCharsets.UTF_8);
	}

	@Configuration(proxyBeanMethods = false)
	static class OverlappingListeners {

		final List<String> wide = new CopyOnWriteArrayList<>();

		final List<String> narrow = new CopyOnWriteArrayList<>();

		@MqttListener(id = "wide", topics = "routes/#", qos = 1)
		void onWide(MqttReceivedMessage message) {
			this.wide.add(entry(message));
		}

		@MqttListener(id = "narrow", topics = "routes/+/1", qos = 1)
		void onNarrow(MqttReceivedMessage message) {
			this.narrow.add(entry(message));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ManyTopicListeners {

		final Set<String> all = ConcurrentHashMap.newKeySet();

		final List<String> even = new CopyOnWriteArrayList<>();

		@MqttListener(id = "all", topics = "many/#", qos = 1)
		void onAll(MqttReceivedMessage message) {
			this.all.add(entry(message));
		}

		@MqttListener(id = "even", topics = "many/+/even", qos = 1)
		void onEven(MqttReceivedMessage message) {
			this.even.add(entry(message));
		}

	}

}
