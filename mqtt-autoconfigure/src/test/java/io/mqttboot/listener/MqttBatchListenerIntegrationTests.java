package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batch listeners against mosquitto: batch sizes, acknowledgement after the method
 * returns, failing batches.
 */
class MqttBatchListenerIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms", "mqtt.listener.retry.max-attempts=1");

	@Test
	void thousandMessagesShouldArriveInBatchesNoLargerThanTheMaximumInOrderPerTopic() {
		this.contextRunner.withUserConfiguration(TelemetryIngest.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
				for (int i = 0; i < 1000; i++) {
					raw.publish("telemetry/device-" + (i % 10), "{\"device\": " + (i % 10) + ", \"seq\": " + i + "}", 1,
							false);
				}
			}
			TelemetryIngest ingest = context.getBean(TelemetryIngest.class);
			await().until(() -> ingest.rows.size() == 1000 && manager.getInFlight().getIncomingQos1() == 0);
			assertThat(ingest.batchSizes).allSatisfy((size) -> assertThat(size).isBetween(1, 50));
			assertThat(ingest.batchSizes).as("messages are batched").anySatisfy((size) -> assertThat(size).isGreaterThan(1));
			Map<Integer, List<Integer>> byDevice = ingest.rows.stream()
				.collect(Collectors.groupingBy(Reading::device, Collectors.mapping(Reading::seq, Collectors.toList())));
			assertThat(byDevice).hasSize(10);
			byDevice.forEach((device, seqs) -> assertThat(seqs).as("device %d", device).isSorted().hasSize(100));
			assertThat(container(context, "ingest").getProcessed()).isEqualTo(1000);
		});
	}

	@Test
	void batchShouldBeAcknowledgedAfterTheMethodReturns() {
		this.contextRunner.withUserConfiguration(BlockingBatchListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			publish(List.of("m1", "m2", "m3", "m4", "m5"));
			BlockingBatchListener listener = context.getBean(BlockingBatchListener.class);
			assertThat(listener.entered.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(manager.getInFlight().getIncomingQos1()).as("nothing acknowledged while the method runs")
				.isEqualTo(5);
			listener.release.countDown();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			assertThat(listener.batches).singleElement().isEqualTo(List.of("m1", "m2", "m3", "m4", "m5"));
		});
	}

	@Test
	void failingBatchShouldHandEachOfItsMessagesToTheErrorHandler() {
		this.contextRunner.withUserConfiguration(PoisonedBatchListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			publish(List.of("a", "poison", "b"));
			RecordingErrorHandler errorHandler = context.getBean(RecordingErrorHandler.class);
			await().until(() -> errorHandler.payloads.size() == 3 && manager.getInFlight().getIncomingQos1() == 0);
			assertThat(errorHandler.payloads).containsExactly("a", "poison", "b");
			assertThat(errorHandler.causes).containsOnly("bad row: poison");
			MqttListenerContainer container = container(context, "poisoned");
			assertThat(container.getFailed()).isEqualTo(3);
			assertThat(container.getProcessed()).isZero();
		});
	}

	private static void publish(List<String> payloads) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			payloads.forEach((payload) -> raw.publish("batch/a", payload, 1, false));
		}
	}

	record Reading(int device, int seq) {
	}

	@Configuration(proxyBeanMethods = false)
	static class TelemetryIngest {

		final List<Reading> rows = new CopyOnWriteArrayList<>();

		final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

		// tag::batch[]
		@MqttListener(id = "ingest", topics = "telemetry/+", qos = 1, concurrency = "2", batch = true,
				batchMaxSize = "50", batchMaxWait = "200ms")
		void ingest(List<Reading> readings) {
			// One INSERT for the whole batch; every message is acknowledged when this returns.
			this.rows.addAll(readings);
			this.batchSizes.add(readings.size());
		}
		// end::batch[]

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingBatchListener {

		final List<List<String>> batches = new CopyOnWriteArrayList<>();

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@MqttListener(id = "blocking", topics = "batch/+", qos = 1, batch = true, batchMaxSize = "5",
				batchMaxWait = "5s")
		void onBatch(List<Message<String>> messages) throws InterruptedException {
			List<String> payloads = new ArrayList<>();
			messages.forEach((message) -> payloads.add(message.getPayload()));
			this.batches.add(payloads);
			this.entered.countDown();
			this.release.await(30, TimeUnit.SECONDS);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PoisonedBatchListener {

		@MqttListener(id = "poisoned", topics = "batch/+", qos = 1, batch = true, batchMaxSize = "3",
				batchMaxWait = "5s", errorHandler = "recordingErrorHandler")
		void onBatch(List<String> payloads) {
			for (String payload : payloads) {
				if (payload.equals("poison")) {
					throw new IllegalStateException("bad row: " + payload);
				}
			}
		}

		@Bean
		RecordingErrorHandler recordingErrorHandler() {
			return new RecordingErrorHandler();
		}

	}

	static class RecordingErrorHandler implements MqttListenerErrorHandler {

		final List<String> payloads = new CopyOnWriteArrayList<>();

		final List<String> causes = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
				int attempts) {
			this.payloads.add(new String(message.getPayload(), StandardCharsets.UTF_8));
			this.causes.add(rootCause(exception).getMessage());
		}

		private static Throwable rootCause(Throwable ex) {
			Throwable cause = ex;
			while (cause.getCause() != null) {
				cause = cause.getCause();
			}
			return cause;
		}

	}

}
