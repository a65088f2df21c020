package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.test.MoquetteBroker;
import io.mqttboot.test.MqttBrokerExtension;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.handler.annotation.Header;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link ConcurrentMqttListenerContainer} against a broker configured to keep at most 10
 * QoS 1 messages in flight per client: order per topic with several workers, and a slow
 * listener that must hold back the broker (QoS 1) or drop and report (QoS 0) instead of
 * queueing without bound.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConcurrentMqttListenerContainerIntegrationTests {

	private static final int BROKER_WINDOW = 10;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder()
		.maxInflightMessages(BROKER_WINDOW)
		.build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	@Test
	void concurrentListenerShouldKeepOrderPerTopicAndNeverRunOnTheNetworkThread() throws Exception {
		int topics = 8;
		int perTopic = 100;
		runner().withUserConfiguration(OrderedListener.class).run((context) -> {
			awaitSubscribed(context);
			List<String> sent = new ArrayList<>();
			for (int i = 0; i < perTopic; i++) {
				for (int topic = 0; topic < topics; topic++) {
					sent.add("ordered/" + topic + ":" + i);
				}
			}
			publishAll(sent, 1);
			OrderedListener listener = context.getBean(OrderedListener.class);
			await().until(() -> listener.count.get() >= topics * perTopic);
			List<Integer> expected = IntStream.range(0, perTopic).boxed().toList();
			assertThat(listener.otherTopicsProgressedWhileHeld).isTrue();
			assertThat(listener.sequences).hasSize(topics);
			listener.sequences.forEach((topic, sequence) -> assertThat(sequence).as(topic).isEqualTo(expected));
			assertThat(listener.threads).hasSizeGreaterThan(1)
				.allSatisfy((thread) -> assertThat(thread).doesNotContainIgnoringCase("nioEventLoop")
					.doesNotContainIgnoringCase("hivemq"));
		});
	}

	@Test
	void slowQos1ListenerShouldAcknowledgeOnlyWhatItProcessedSoThatTheBrokerHoldsBack() throws Exception {
		assumeTrue(broker.get().getImplementation().startsWith("mosquitto"), "reads the mosquitto log");
		int messages = 1000;
		runner().withUserConfiguration(SlowListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			String clientId = manager.getClientId();
			SlowListener listener = context.getBean(SlowListener.class);
			MqttListenerContainer container = container(context, "slow");
			List<String> sent = IntStream.range(0, messages).mapToObj((i) -> "slow/" + (i % 5) + ":" + i).toList();
			try (AsyncPublisher publisher = new AsyncPublisher(broker.get())) {
				List<CompletableFuture<?>> published = publisher.publish(sent, 1);
				// Nothing processed, nothing acknowledged: the broker stops at its window, one
				// message is in the listener and the rest of the window waits in the queue.
				await().until(() -> container.getQueued() == BROKER_WINDOW - 1
						&& brokerLogCount("Sending PUBLISH to " + clientId + " (") == BROKER_WINDOW);
				assertThat(brokerLogCount("Received PUBACK from " + clientId + " (")).isZero();
				int released = 0;
				while (released < messages) {
					listener.gate.release(100);
					released += 100;
					int target = released;
					await().until(() -> listener.processed.size() >= target);
					assertThat(brokerLogCount("Received PUBACK from " + clientId + " ("))
						.isLessThanOrEqualTo(listener.processed.size());
				}
				CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
			}
			await().until(() -> container.getProcessed() == messages);
			assertThat(listener.processed).containsExactlyInAnyOrderElementsOf(payloads(sent));
			assertThat(container.getDropped()).isZero();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
		});
	}

	/**
	 * mosquitto 2.0.11 moves up to {@code max_inflight_messages} queued messages into
	 * flight on every in-order PUBACK, however many are still in flight
	 * (eclipse-mosquitto/mosquitto#2301), so its window does not hold once messages are
	 * acknowledged. Moquette keeps a window of 10 for MQTT 3.1.1 clients.
	 */
	@Test
	void slowQos1ListenerShouldNeverQueueMoreThanTheBrokerWindow() throws Exception {
		int messages = 1000;
		try (MqttTestBroker moquette = new MoquetteBroker()) {
			moquette.start();
			this.contextRunner.withPropertyValues("mqtt.url=" + moquette.getUrl(), "mqtt.version=3")
				.withUserConfiguration(SlowListener.class)
				.run((context) -> {
					awaitSubscribed(context);
					SlowListener listener = context.getBean(SlowListener.class);
					MqttListenerContainer container = container(context, "slow");
					List<String> sent = IntStream.range(0, messages)
						.mapToObj((i) -> "slow/" + (i % 5) + ":" + i)
						.toList();
					try (AsyncPublisher publisher = new AsyncPublisher(moquette)) {
						List<CompletableFuture<?>> published = publisher.publish(sent, 1);
						await().until(() -> container.getQueued() == BROKER_WINDOW - 1);
						int released = 0;
						while (released < messages) {
							listener.gate.release(100);
							released += 100;
							int target = released;
							await().until(() -> listener.processed.size() >= target);
							assertThat(container.getQueued()).isLessThanOrEqualTo(BROKER_WINDOW);
						}
						CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
					}
					await().until(() -> container.getProcessed() == messages);
					assertThat(listener.processed).containsExactlyInAnyOrderElementsOf(payloads(sent));
					assertThat(container.getMaxQueued()).isLessThanOrEqualTo(BROKER_WINDOW);
				});
		}
	}

	@Test
	void slowQos0ListenerShouldDropWhenItsQueueIsFullAndLogTheListener(CapturedOutput output) throws Exception {
		int messages = 200;
		runner().withPropertyValues("mqtt.listener.queue-capacity=5")
			.withUserConfiguration(SlowQos0Listener.class)
			.run((context) -> {
				awaitSubscribed(context);
				SlowQos0Listener listener = context.getBean(SlowQos0Listener.class);
				MqttListenerContainer container = container(context, "lossy");
				List<String> sent = IntStream.range(0, messages).mapToObj((i) -> "lossy/a:" + i).toList();
				try (AsyncPublisher publisher = new AsyncPublisher(broker.get())) {
					publisher.publish(sent, 0);
					// Every message either waits in the queue, is in the listener, or was dropped.
					await().until(() -> container.getDropped() + container.getQueued() + listener.entered.get() == messages);
				}
				listener.gate.release(messages);
				await().until(() -> container.getProcessed() + container.getDropped() == messages
						&& container.getQueued() == 0);
				assertThat(container.getDropped()).isPositive();
				assertThat(listener.processed).hasSize((int) container.getProcessed());
				assertThat(container.getMaxQueued()).isLessThanOrEqualTo(5);
				assertThat(output.getOut().lines().filter((line) -> line.contains("Listener 'lossy' is falling behind")))
					.singleElement()
					.satisfies((line) -> assertThat(line).contains("WARN").contains("dropped QoS 0 message"));
			});
	}

	private static void publishAll(List<String> topicAndPayloads, int qos) throws Exception {
		try (AsyncPublisher publisher = new AsyncPublisher(broker.get())) {
			List<CompletableFuture<?>> published = publisher.publish(topicAndPayloads, qos);
			CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		}
	}

	private static long brokerLogCount(String text) {
		return broker.get().getLog().lines().filter((line) -> line.contains(text)).count();
	}

	private static List<String> payloads(List<String> topicAndPayloads) {
		return topicAndPayloads.stream().map((entry) -> entry.substring(entry.indexOf(':') + 1)).toList();
	}

	/**
	 * An independent HiveMQ client that publishes without waiting for each
	 * acknowledgement, so that the broker, not the publisher, paces the subscriber.
	 */
	static final class AsyncPublisher implements AutoCloseable {

		private final Mqtt5AsyncClient client;

		AsyncPublisher(MqttTestBroker broker) throws Exception {
			this.client = MqttClient.builder()
				.useMqttVersion5()
				.identifier("publisher-" + UUID.randomUUID().toString().substring(0, 8))
				.serverHost(broker.getHost())
				.serverPort(broker.getPort())
				.buildAsync();
			this.client.connect().get(10, TimeUnit.SECONDS);
		}

		/**
		 * Publish {@code topic:payload} entries in order.
		 */
		List<CompletableFuture<?>> publish(List<String> topicAndPayloads, int qos) {
			List<CompletableFuture<?>> futures = new ArrayList<>();
			for (String entry : topicAndPayloads) {
				int colon = entry.indexOf(':');
				futures.add(this.client.publishWith()
					.topic(entry.substring(0, colon))
					.payload(entry.substring(colon + 1).getBytes(StandardCharsets.UTF_8))
					.qos(MqttQos.fromCode(qos))
					.send());
			}
			return futures;
		}

		@Override
		public void close() throws Exception {
			this.client.disconnect().get(10, TimeUnit.SECONDS);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderedListener {

		final Map<String, List<Integer>> sequences = new ConcurrentHashMap<>();

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		final AtomicInteger count = new AtomicInteger();

		final CountDownLatch otherTopicsProgressed = new CountDownLatch(5);

		volatile boolean otherTopicsProgressedWhileHeld;

		@MqttListener(id = "ordered", topics = "ordered/+", qos = 1, concurrency = "4")
		void onMessage(String payload, @Header(MqttHeaders.RECEIVED_TOPIC) String topic) throws InterruptedException {
			this.threads.add(Thread.currentThread().getName());
			if (topic.equals("ordered/0") && payload.equals("0")) {
				// Hold the first message of one topic: later messages of that topic must wait
				// for it, other topics must not.
				this.otherTopicsProgressedWhileHeld = this.otherTopicsProgressed.await(10, TimeUnit.SECONDS);
			}
			else if (!topic.equals("ordered/0")) {
				this.otherTopicsProgressed.countDown();
			}
			this.sequences.computeIfAbsent(topic, (key) -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(payload));
			this.count.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SlowListener {

		final Semaphore gate = new Semaphore(0);

		final List<String> processed = new CopyOnWriteArrayList<>();

		@MqttListener(id = "slow", topics = "slow/+", qos = 1)
		void onMessage(String payload) throws InterruptedException {
			this.gate.acquire();
			this.processed.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SlowQos0Listener {

		final Semaphore gate = new Semaphore(0);

		final AtomicInteger entered = new AtomicInteger();

		final List<String> processed = new CopyOnWriteArrayList<>();

		@MqttListener(id = "lossy", topics = "lossy/+", qos = 0)
		void onMessage(String payload) throws InterruptedException {
			this.entered.incrementAndGet();
			this.gate.acquire();
			this.processed.add(payload);
		}

	}

}
