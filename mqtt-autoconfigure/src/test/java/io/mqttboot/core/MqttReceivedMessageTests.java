package io.mqttboot.core;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MqttReceivedMessage}.
 */
class MqttReceivedMessageTests {

	@Test
	void acknowledgeShouldAcknowledgeToTheBrokerOnceHoweverOftenAndFromWhateverThreadItIsCalled()
			throws Exception {
		AtomicInteger acknowledgements = new AtomicInteger();
		MqttReceivedMessage message = new MqttReceivedMessage("default", "a/b",
				"x".getBytes(StandardCharsets.UTF_8), 1, false, List.of(), null, null, null, null,
				acknowledgements::incrementAndGet);
		assertThat(message.isAcknowledged()).isFalse();
		ExecutorService executor = Executors.newFixedThreadPool(4);
		try {
			CountDownLatch start = new CountDownLatch(1);
			for (int i = 0; i < 4; i++) {
				executor.execute(() -> {
					try {
						start.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					message.acknowledge();
				});
			}
			start.countDown();
		}
		finally {
			executor.shutdown();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
		message.acknowledge();
		assertThat(acknowledgements).hasValue(1);
		assertThat(message.isAcknowledged()).isTrue();
	}

}
