package io.mqttboot.listener;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
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
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners across application restarts: persistent sessions, the clean-session warning
 * and graceful shutdown.
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttListenerSessionIntegrationTests {

	private static final String CLEAN_SESSION_HINT = "mqtt.clean-start=false";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms",
				"mqtt.listener.retry.initial-interval=50ms");

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	private ApplicationContextRunner persistentRunner(String clientId) {
		return runner().withPropertyValues("mqtt.client-id=" + clientId, "mqtt.clean-start=false",
				"mqtt.session-expiry=1h");
	}

	@Test
	void persistentSessionShouldDeliverMessagesPublishedWhileTheApplicationWasDown() {
		ApplicationContextRunner runner = persistentRunner(uniqueClientId())
			.withUserConfiguration(DurableListener.class);
		runner.run(ListenerContexts::awaitSubscribed);
		List<String> published = IntStream.range(0, 20).mapToObj((i) -> "offline-" + i).toList();
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			published.forEach((payload) -> raw.publish("durable/orders", payload, 1, false));
		}
		runner.run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			DurableListener listener = context.getBean(DurableListener.class);
			await().until(() -> listener.received.size() >= published.size()
					&& manager.getInFlight().getIncomingQos1() == 0);
			assertThat(manager.isSessionPresent()).isTrue();
			assertThat(listener.received).containsExactlyElementsOf(published);
		});
	}

	@Test
	void qos1ListenerOnACleanSessionShouldWarnOnce(CapturedOutput output) {
		runner().withUserConfiguration(DurableListener.class, OtherDurableListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output.getOut().lines().filter((line) -> line.contains(CLEAN_SESSION_HINT))).singleElement()
				.satisfies((line) -> assertThat(line).contains("WARN").contains("subscribes with QoS > 0"));
		});
	}

	@Test
	void qos1ListenerOnAPersistentSessionShouldNotWarn(CapturedOutput output) {
		persistentRunner(uniqueClientId()).withUserConfiguration(DurableListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			awaitSubscribed(context);
			assertThat(output).doesNotContain(CLEAN_SESSION_HINT);
		});
	}

	@Test
	void qos0ListenerOnACleanSessionShouldNotWarn(CapturedOutput output) {
		runner().withUserConfiguration(Qos0Listener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			awaitSubscribed(context);
			assertThat(output).doesNotContain(CLEAN_SESSION_HINT);
		});
	}

	@Test
	void shutdownShouldLetTheListenerFinishAndAcknowledgeTheMessageInProgress() {
		String clientId = uniqueClientId();
		AtomicReference<InProgressListener> first = new AtomicReference<>();
		persistentRunner(clientId).withUserConfiguration(InProgressListener.class).run((context) -> {
			awaitSubscribed(context);
			InProgressListener listener = context.getBean(InProgressListener.class);
			first.set(listener);
			publish("shutdown/jobs", "in-progress");
			assertThat(listener.entered.await(10, TimeUnit.SECONDS)).isTrue();
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			Thread releaser = new Thread(() -> {
				// Release the listener once the context began to stop its listeners.
				await().until(() -> !registry.isRunning());
				listener.release.countDown();
			}, "releaser");
			releaser.setDaemon(true);
			releaser.start();
		});
		assertThat(first.get().completed).containsExactly("in-progress");
		assertThat(first.get().clientStillRunningOnCompletion).isTrue();
		persistentRunner(clientId).withUserConfiguration(DurableListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			assertThat(manager.isSessionPresent()).isTrue();
			publish("shutdown/jobs", "marker");
			DurableListener listener = context.getBean(DurableListener.class);
			await().until(() -> listener.received.contains("marker"));
			assertThat(listener.received).as("the message processed during shutdown is not redelivered")
				.containsExactly("marker");
		});
	}

	@Test
	void shutdownShouldLeaveMessagesQueuedBeyondTheTimeoutUnacknowledgedForRedelivery() {
		String clientId = uniqueClientId();
		List<String> published = IntStream.range(0, 5).mapToObj((i) -> "queued-" + i).toList();
		AtomicReference<StuckListener> first = new AtomicReference<>();
		try {
			persistentRunner(clientId).withPropertyValues("mqtt.shutdown-timeout=300ms")
				.withUserConfiguration(StuckListener.class)
				.run((context) -> {
					awaitSubscribed(context);
					StuckListener listener = context.getBean(StuckListener.class);
					first.set(listener);
					published.forEach((payload) -> publish("shutdown/jobs", payload));
					MqttListenerContainer container = context.getBean(MqttListenerEndpointRegistry.class)
						.getListenerContainer("stuck");
					await().until(() -> listener.invocations.get() == 1 && container.getQueued() == 4);
				});
			assertThat(first.get().invocations).as("a listener interrupted by shutdown is not invoked again")
				.hasValue(1);
			persistentRunner(clientId).withUserConfiguration(DurableListener.class).run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				DurableListener listener = context.getBean(DurableListener.class);
				await().until(() -> listener.received.size() >= published.size()
						&& manager.getInFlight().getIncomingQos1() == 0);
				assertThat(manager.isSessionPresent()).isTrue();
				assertThat(listener.received).containsExactlyElementsOf(published);
			});
		}
		finally {
			if (first.get() != null) {
				first.get().release.countDown();
			}
		}
	}

	private static void publish(String topic, String payload) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish(topic, payload, 1, false);
		}
	}

	private static String uniqueClientId() {
		return "session-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Configuration(proxyBeanMethods = false)
	static class DurableListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "durable", topics = { "durable/+", "shutdown/+" }, qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OtherDurableListener {

		@MqttListener(id = "otherDurable", topics = "other/+", qos = 2)
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Qos0Listener {

		@MqttListener(id = "fireAndForget", topics = "telemetry/+", qos = 0)
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class InProgressListener {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		final List<String> completed = new CopyOnWriteArrayList<>();

		volatile boolean clientStillRunningOnCompletion;

		private final MqttClientManager clientManager;

		InProgressListener(MqttClientManager clientManager) {
			this.clientManager = clientManager;
		}

		@MqttListener(id = "inProgress", topics = "shutdown/+", qos = 1)
		void onMessage(String payload) throws InterruptedException {
			this.entered.countDown();
			this.release.await(30, TimeUnit.SECONDS);
			this.clientStillRunningOnCompletion = this.clientManager.isRunning();
			this.completed.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StuckListener {

		final AtomicInteger invocations = new AtomicInteger();

		final CountDownLatch release = new CountDownLatch(1);

		@MqttListener(id = "stuck", topics = "shutdown/+", qos = 1)
		void onMessage(String payload) throws InterruptedException {
			// Only the first call is slow: any later one would return at once.
			if (this.invocations.incrementAndGet() == 1) {
				this.release.await(30, TimeUnit.SECONDS);
			}
		}

	}

}
