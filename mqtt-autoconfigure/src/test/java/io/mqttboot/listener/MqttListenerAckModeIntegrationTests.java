package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acknowledgement modes against mosquitto: manual acknowledgement from another thread,
 * later, and listeners returning a {@link CompletableFuture}.
 */
class MqttListenerAckModeIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms", "mqtt.listener.retry.max-attempts=1");

	private ApplicationContextRunner persistentRunner(String clientId, int version) {
		return this.contextRunner.withPropertyValues("mqtt.client-id=" + clientId, "mqtt.clean-start=false",
				"mqtt.session-expiry=1h", "mqtt.version=" + version, "mqtt.shutdown-timeout=300ms");
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(ints = { 5, 3 })
	void manualAcknowledgementFromAnotherThreadShouldAcknowledgeAndAnUnacknowledgedMessageShouldBeRedelivered(
			int version) {
		String clientId = "manual-" + UUID.randomUUID().toString().substring(0, 8);
		persistentRunner(clientId, version).withUserConfiguration(ManualListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			ManualListener listener = context.getBean(ManualListener.class);
			publish("manual/a", "first");
			publish("manual/a", "second");
			Pending first = listener.pending.poll(10, TimeUnit.SECONDS);
			assertThat(first).isNotNull();
			assertThat(first.payload()).isEqualTo("first");
			MqttListenerContainer container = container(context, "manual");
			await().until(() -> container.getQueued() == 1);
			assertThat(listener.pending).as("the next message of the topic waits for the acknowledgement").isEmpty();
			assertThat(manager.getInFlight().getIncomingQos1()).isEqualTo(2);
			Thread acknowledger = new Thread(() -> {
				first.acknowledgment().acknowledge();
				first.acknowledgment().acknowledge();
			}, "acknowledger");
			acknowledger.start();
			acknowledger.join();
			Pending second = listener.pending.poll(10, TimeUnit.SECONDS);
			assertThat(second).isNotNull();
			assertThat(second.payload()).isEqualTo("second");
			await().until(() -> manager.getInFlight().getIncomingQos1() == 1);
			assertThat(first.acknowledgment().isAcknowledged()).isTrue();
			assertThat(container.getProcessed()).isEqualTo(1);
			// "second" is never acknowledged: the context closes with it pending.
		});
		persistentRunner(clientId, version).withUserConfiguration(RecordingListener.class).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			await().until(() -> listener.received.contains("second") && manager.getInFlight().getIncomingQos1() == 0);
			publish("manual/a", "marker");
			await().until(() -> listener.received.contains("marker"));
			assertThat(listener.received).as("the acknowledged message is not redelivered")
				.containsExactly("second", "marker");
		});
	}

	@Test
	void acknowledgingTwiceShouldNotAcknowledgeAMessageAnotherListenerStillProcesses() {
		this.contextRunner.withUserConfiguration(ManualListener.class, LatchListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			publish("manual/a", "shared");
			Pending pending = context.getBean(ManualListener.class).pending.poll(10, TimeUnit.SECONDS);
			assertThat(pending).isNotNull();
			LatchListener latch = context.getBean(LatchListener.class);
			assertThat(latch.entered.await(10, TimeUnit.SECONDS)).isTrue();
			pending.acknowledgment().acknowledge();
			pending.acknowledgment().acknowledge();
			assertThat(manager.getInFlight().getIncomingQos1()).as("the other listener still processes it")
				.isEqualTo(1);
			latch.release.countDown();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
		});
	}

	@Test
	void asyncListenerShouldBeAcknowledgedWhenItsFutureCompletes() {
		this.contextRunner.withUserConfiguration(AsyncListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			AsyncListener listener = context.getBean(AsyncListener.class);
			publish("async/a", "first");
			publish("async/a", "second");
			CompletableFuture<Void> first = listener.futures.poll(10, TimeUnit.SECONDS);
			assertThat(first).isNotNull();
			MqttListenerContainer container = container(context, "async");
			await().until(() -> container.getQueued() == 1);
			assertThat(listener.futures).as("the next message of the topic waits for the future").isEmpty();
			assertThat(manager.getInFlight().getIncomingQos1()).isEqualTo(2);
			new Thread(() -> first.complete(null), "completer").start();
			CompletableFuture<Void> second = listener.futures.poll(10, TimeUnit.SECONDS);
			assertThat(second).isNotNull();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 1);
			second.complete(null);
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0 && container.getProcessed() == 2);
		});
	}

	@Test
	void asyncListenerWhoseFutureFailsShouldGoToTheErrorHandler() {
		this.contextRunner.withUserConfiguration(AsyncListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			AsyncListener listener = context.getBean(AsyncListener.class);
			publish("async/a", "doomed");
			CompletableFuture<Void> future = listener.futures.poll(10, TimeUnit.SECONDS);
			assertThat(future).isNotNull();
			future.completeExceptionally(new IllegalStateException("database down"));
			RecordingErrorHandler errorHandler = context.getBean(RecordingErrorHandler.class);
			await().until(() -> !errorHandler.failures.isEmpty() && manager.getInFlight().getIncomingQos1() == 0);
			assertThat(errorHandler.failures).singleElement()
				.satisfies((failure) -> assertThat(failure).contains("doomed").contains("database down"));
			assertThat(container(context, "async").getFailed()).isEqualTo(1);
		});
	}

	private static void publish(String topic, String payload) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish(topic, payload, 1, false);
		}
	}

	record Pending(String payload, MqttAcknowledgment acknowledgment) {
	}

	@Configuration(proxyBeanMethods = false)
	static class ManualListener {

		final BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();

		// tag::manual[]
		@MqttListener(id = "manual", topics = "manual/+", qos = 1)
		void onMessage(String payload, MqttAcknowledgment acknowledgment) {
			// Acknowledged later, from another thread.
			this.pending.add(new Pending(payload, acknowledgment));
		}
		// end::manual[]

	}

	@Configuration(proxyBeanMethods = false)
	static class LatchListener {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@MqttListener(id = "latch", topics = "manual/+", qos = 1)
		void onMessage(String payload) throws InterruptedException {
			this.entered.countDown();
			this.release.await(30, TimeUnit.SECONDS);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "recording", topics = "manual/+", qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AsyncListener {

		final BlockingQueue<CompletableFuture<Void>> futures = new LinkedBlockingQueue<>();

		// tag::async[]
		@MqttListener(id = "async", topics = "async/+", qos = 1, errorHandler = "recordingErrorHandler")
		CompletableFuture<Void> onMessage(String payload) {
			CompletableFuture<Void> future = new CompletableFuture<>();
			this.futures.add(future);
			return future;
		}
		// end::async[]

		@Bean
		RecordingErrorHandler recordingErrorHandler() {
			return new RecordingErrorHandler();
		}

	}

	static class RecordingErrorHandler implements MqttListenerErrorHandler {

		final List<String> failures = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
				int attempts) {
			this.failures.add(new String(message.getPayload(), StandardCharsets.UTF_8) + ": "
					+ exception.getCause().getMessage());
		}

	}

}
