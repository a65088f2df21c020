package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.support.converter.MqttMessageConversionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.retry.RetryPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ConcurrentMqttListenerContainer} fed directly, as the dispatcher does, without a
 * broker: retry only after a first failure, the lock-free worker queues and their wake-up.
 */
class ConcurrentMqttListenerContainerTests {

	private static final RetryPolicy TWO_IMMEDIATE_RETRIES = RetryPolicy.builder()
		.maxRetries(2)
		.delay(Duration.ZERO)
		.build();

	private final List<ConcurrentMqttListenerContainer> containers = new ArrayList<>();

	@AfterEach
	void stopContainers() {
		this.containers.forEach(ConcurrentMqttListenerContainer::stop);
	}

	@Test
	void listenerSucceedingAtOnceShouldBeInvokedOnceAndTheMessageAcknowledged() {
		AtomicInteger invocations = new AtomicInteger();
		RecordingErrorHandler errorHandler = new RecordingErrorHandler();
		ConcurrentMqttListenerContainer container = container("once", (message) -> invocations.incrementAndGet());
		container.setErrorHandler(errorHandler);
		container.start();
		MqttReceivedMessage message = message("once/a", "1", 1);
		container.enqueue(new MqttDelivery(message, 1));
		await().until(message::isAcknowledged);
		assertThat(invocations).hasValue(1);
		assertThat(container.getProcessed()).isEqualTo(1);
		assertThat(container.getFailed()).isZero();
		assertThat(errorHandler.attempts).isEmpty();
	}

	@Test
	void listenerFailingTwiceShouldSucceedOnTheThirdInvocationWithTheDefaultPolicy() {
		// The default policy: 2 retries, 1 s apart.
		AtomicInteger invocations = new AtomicInteger();
		RecordingErrorHandler errorHandler = new RecordingErrorHandler();
		ConcurrentMqttListenerContainer container = container("flaky", (message) -> {
			int invocation = invocations.incrementAndGet();
			if (invocation < 3) {
				throw new IllegalStateException("attempt " + invocation);
			}
		});
		container.setErrorHandler(errorHandler);
		container.start();
		MqttReceivedMessage message = message("flaky/a", "1", 1);
		container.enqueue(new MqttDelivery(message, 1));
		await().atMost(Duration.ofSeconds(10)).until(message::isAcknowledged);
		assertThat(invocations).hasValue(3);
		assertThat(container.getProcessed()).isEqualTo(1);
		assertThat(container.getFailed()).isZero();
		assertThat(errorHandler.attempts).isEmpty();
	}

	@Test
	void listenerFailingEveryAttemptShouldReachTheErrorHandlerWithTheAttemptCountAndTheLastFailure() {
		AtomicInteger invocations = new AtomicInteger();
		RecordingErrorHandler errorHandler = new RecordingErrorHandler();
		ConcurrentMqttListenerContainer container = container("failing", (message) -> {
			throw new IllegalStateException("attempt " + invocations.incrementAndGet());
		});
		container.setRetryPolicy(TWO_IMMEDIATE_RETRIES);
		container.setErrorHandler(errorHandler);
		container.start();
		MqttReceivedMessage message = message("failing/a", "1", 1);
		container.enqueue(new MqttDelivery(message, 1));
		await().until(message::isAcknowledged);
		assertThat(invocations).hasValue(3);
		assertThat(errorHandler.attempts).containsExactly(3);
		assertThat(errorHandler.exceptions).singleElement().satisfies((exception) -> {
			assertThat(exception.getListenerId()).isEqualTo("failing");
			assertThat(exception.getTopic()).isEqualTo("failing/a");
			assertThat(exception.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("attempt 3");
		});
		assertThat(container.getProcessed()).isZero();
		assertThat(container.getFailed()).isEqualTo(1);
	}

	@Test
	void conversionFailureOnTheFirstAttemptShouldNotBeRetried() {
		AtomicInteger invocations = new AtomicInteger();
		RecordingErrorHandler errorHandler = new RecordingErrorHandler();
		ConcurrentMqttListenerContainer container = container("convert", (message) -> {
			invocations.incrementAndGet();
			throw new MqttMessageConversionException("not JSON", null);
		});
		container.setRetryPolicy(TWO_IMMEDIATE_RETRIES);
		container.setErrorHandler(errorHandler);
		container.start();
		MqttReceivedMessage message = message("convert/a", "{", 1);
		container.enqueue(new MqttDelivery(message, 1));
		await().until(message::isAcknowledged);
		assertThat(invocations).hasValue(1);
		assertThat(errorHandler.attempts).containsExactly(1);
		assertThat(errorHandler.exceptions).singleElement()
			.satisfies((exception) -> assertThat(exception).hasCauseInstanceOf(MqttMessageConversionException.class));
	}

	@Test
	void retriesShouldStopAtTheFirstNonRetryableFailure() {
		AtomicInteger invocations = new AtomicInteger();
		RecordingErrorHandler errorHandler = new RecordingErrorHandler();
		ConcurrentMqttListenerContainer container = container("mixed", (message) -> {
			if (invocations.incrementAndGet() == 1) {
				throw new IllegalStateException("transient");
			}
			throw new MqttMessageConversionException("not JSON", null);
		});
		container.setRetryPolicy(TWO_IMMEDIATE_RETRIES);
		container.setErrorHandler(errorHandler);
		container.start();
		MqttReceivedMessage message = message("mixed/a", "{", 1);
		container.enqueue(new MqttDelivery(message, 1));
		await().until(message::isAcknowledged);
		assertThat(invocations).hasValue(2);
		assertThat(errorHandler.attempts).containsExactly(2);
	}

	@Test
	void noRetriesShouldInvokeOnceAndReportTheFirstFailure() {
		AtomicInteger invocations = new AtomicInteger();
		RecordingErrorHandler errorHandler = new RecordingErrorHandler();
		ConcurrentMqttListenerContainer container = container("no-retry", (message) -> {
			throw new IllegalStateException("attempt " + invocations.incrementAndGet());
		});
		container.setRetryPolicy(RetryPolicy.withMaxRetries(0));
		container.setErrorHandler(errorHandler);
		container.start();
		MqttReceivedMessage message = message("no-retry/a", "1", 1);
		container.enqueue(new MqttDelivery(message, 1));
		await().until(message::isAcknowledged);
		assertThat(invocations).hasValue(1);
		assertThat(errorHandler.attempts).containsExactly(1);
		assertThat(errorHandler.exceptions).singleElement()
			.satisfies((exception) -> assertThat(exception.getCause()).isInstanceOf(IllegalStateException.class)
				.hasMessage("attempt 1"));
	}

	@Test
	void burstsFromOneProducerShouldAllBeProcessedInOrderPerTopic() {
		int topics = 64;
		int bursts = 20;
		int perBurst = 1000;
		Map<String, List<Integer>> sequences = new ConcurrentHashMap<>();
		AtomicInteger processed = new AtomicInteger();
		ConcurrentMqttListenerContainer container = container("bursts", (message) -> {
			sequences.computeIfAbsent(message.getTopic(), (topic) -> Collections.synchronizedList(new ArrayList<>()))
				.add(Integer.parseInt(new String(message.getPayload(), StandardCharsets.US_ASCII)));
			processed.incrementAndGet();
		});
		container.setConcurrency(4);
		container.setQueueCapacity(bursts * perBurst);
		container.start();
		int[] next = new int[topics];
		for (int burst = 0; burst < bursts; burst++) {
			for (int i = 0; i < perBurst; i++) {
				int topic = i % topics;
				container.enqueue(new MqttDelivery(message("bursts/" + topic, String.valueOf(next[topic]++), topic % 2),
						1));
			}
			// Let the workers run dry and park before the next burst.
			int target = (burst + 1) * perBurst;
			await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> processed.get() == target);
		}
		assertThat(container.getProcessed()).isEqualTo(bursts * perBurst);
		assertThat(container.getDropped()).isZero();
		assertThat(container.getQueued()).isZero();
		assertThat(sequences).hasSize(topics);
		sequences.forEach((topic, sequence) -> assertThat(sequence).as(topic)
			.isEqualTo(IntStream.range(0, next[Integer.parseInt(topic.substring(topic.indexOf('/') + 1))])
				.boxed()
				.toList()));
	}

	@Test
	void qos0MessagesShouldBeDroppedOnlyWhileTheWorkerQueueIsFull() {
		AtomicInteger processed = new AtomicInteger();
		ConcurrentMqttListenerContainer container = container("capacity", (message) -> processed.incrementAndGet());
		container.setQueueCapacity(10);
		// Not started: the queue only fills.
		for (int i = 0; i < 15; i++) {
			container.enqueue(new MqttDelivery(message("capacity/a", String.valueOf(i), 0), 1));
		}
		assertThat(container.getDropped()).isEqualTo(5);
		assertThat(container.getQueued()).isEqualTo(10);
		// QoS 1 is never dropped.
		container.enqueue(new MqttDelivery(message("capacity/a", "qos1", 1), 1));
		assertThat(container.getQueued()).isEqualTo(11);
		container.start();
		await().until(() -> processed.get() == 11);
		container.stop();
		// The queue is empty again: 10 more fit.
		for (int i = 0; i < 10; i++) {
			container.enqueue(new MqttDelivery(message("capacity/a", String.valueOf(i), 0), 1));
		}
		assertThat(container.getDropped()).isEqualTo(5);
		assertThat(container.getQueued()).isEqualTo(10);
		container.enqueue(new MqttDelivery(message("capacity/a", "one too many", 0), 1));
		assertThat(container.getDropped()).isEqualTo(6);
		container.start();
		await().until(() -> processed.get() == 21);
		assertThat(container.getQueued()).isZero();
	}

	private ConcurrentMqttListenerContainer container(String id, MqttMessageListener listener) {
		ConcurrentMqttListenerContainer container = new ConcurrentMqttListenerContainer(id, "default",
				List.of(MqttSubscription.of(id + "/#", 1)), listener);
		this.containers.add(container);
		return container;
	}

	private static MqttReceivedMessage message(String topic, String payload, int qos) {
		return MqttReceivedMessage.of(topic, payload.getBytes(StandardCharsets.US_ASCII), qos);
	}

	static class RecordingErrorHandler implements MqttListenerErrorHandler {

		final List<Integer> attempts = new CopyOnWriteArrayList<>();

		final List<MqttListenerExecutionFailedException> exceptions = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
				int attempts) {
			this.exceptions.add(exception);
			this.attempts.add(attempts);
		}

	}

}
