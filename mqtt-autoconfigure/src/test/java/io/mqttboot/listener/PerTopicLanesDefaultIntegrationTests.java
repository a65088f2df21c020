package io.mqttboot.listener;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener with more than one thread uses per-topic lanes by default (issue 14, B9): a
 * topic blocked in the listener does not hold up the topics that would have been hashed to
 * the same worker.
 */
class PerTopicLanesDefaultIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class))
		.withUserConfiguration(BlockingListeners.class)
		.withPropertyValues("mqtt.url=" + broker.getUrl());

	private RawMqttClient publisher;

	@BeforeEach
	void connectPublisher() {
		this.publisher = RawMqttClient.connect(broker.getHost(), broker.getPort());
	}

	@AfterEach
	void closePublisher() {
		this.publisher.close();
	}

	@Test
	void listenerWithSeveralThreadsShouldUsePerTopicLanesAndOneThreadShouldNot() {
		this.contextRunner.run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			assertThat(container(context, "two").isPerTopicLanes()).isTrue();
			assertThat(container(context, "single").isPerTopicLanes()).isFalse();
		});
	}

	@Test
	void perTopicLanesSetToFalseShouldKeepHashedWorkers() {
		this.contextRunner.withPropertyValues("mqtt.listener.per-topic-lanes=false").run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			assertThat(container(context, "two").isPerTopicLanes()).isFalse();
		});
	}

	@Test
	void topicBlockedInTheListenerShouldNotHoldUpATopicThatHashesToTheSameWorker() {
		this.contextRunner.run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			BlockingListeners listeners = context.getBean(BlockingListeners.class);
			try {
				this.publisher.publish("lanes/slow", "1", 1, false);
				assertThat(listeners.slowStarted.await(30, TimeUnit.SECONDS)).as("slow topic reached the listener")
					.isTrue();
				// With hashed workers this topic would wait behind "lanes/slow" on worker 0 or 1.
				String sameWorker = topicOnTheSameWorkerAs("lanes/slow", 2);
				this.publisher.publish(sameWorker, "2", 1, false);
				await().until(() -> listeners.received.contains(sameWorker));
				assertThat(listeners.received).doesNotContain("lanes/slow");
			}
			finally {
				listeners.releaseSlow.countDown();
			}
			await().until(() -> listeners.received.contains("lanes/slow"));
		});
	}

	/**
	 * Find a topic that a container with hashed workers would give the same worker as the
	 * given one (the container hashes the topic name, spread, modulo the worker count).
	 */
	private static String topicOnTheSameWorkerAs(String topic, int workers) {
		int worker = worker(topic, workers);
		return IntStream.range(0, 1000)
			.mapToObj((i) -> "lanes/other-" + i)
			.filter((candidate) -> worker(candidate, workers) == worker)
			.findFirst()
			.orElseThrow();
	}

	private static int worker(String topic, int workers) {
		int hash = topic.hashCode();
		return Math.floorMod(hash ^ (hash >>> 16), workers);
	}

	private static ConcurrentMqttListenerContainer container(ApplicationContext context,
			String id) {
		return (ConcurrentMqttListenerContainer) ListenerContexts.container(context, id);
	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingListeners {

		final CountDownLatch slowStarted = new CountDownLatch(1);

		final CountDownLatch releaseSlow = new CountDownLatch(1);

		final Queue<String> received = new ConcurrentLinkedQueue<>();

		@MqttListener(id = "two", topics = "lanes/{name}", concurrency = "2", qos = 1)
		void onMessage(@TopicVariable String name) throws InterruptedException {
			if (name.equals("slow")) {
				this.slowStarted.countDown();
				this.releaseSlow.await(60, TimeUnit.SECONDS);
			}
			this.received.add("lanes/" + name);
		}

		@MqttListener(id = "single", topics = "single/t")
		void onSingle(String payload) {
			this.received.add(payload);
		}

	}

}
