package io.mqttboot.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 10 of {@code docs/reliability.md}: the consuming application is closed while
 * 5,000 QoS 1 messages stream in (1,000 a second) faster than its listener works (4 ms per
 * message, two workers: about 470 a second). Closing must stop taking messages, so that
 * the running handlers and what is queued at that moment finish within
 * {@code mqtt.shutdown-timeout} (5 s here; a container that kept taking messages would
 * never see its queue empty before the timeout and have its handlers interrupted), leave
 * the rest unacknowledged for the restarted application (same client id, persistent
 * session, no simulated work), lose nothing, and leave no thread of ours behind.
 */
@ExtendWith(QuietBrokerLogExtension.class)
class GracefulShutdownIntegrationTests {

	private static final int MESSAGES = 5_000;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@Test
	void closingTheConsumerUnderLoadShouldFinishRunningHandlersLeaveTheRestForRedeliveryAndNoThreads() {
		Set<String> threadsBefore = ourThreads();
		DeliveryTally tally = new DeliveryTally();
		String topic = "shutdown/q1";
		ApplicationContextRunner consumerRunner = Reliability.consumer(broker.getUrl(), "fixed-shutdown-consumer",
				topic, tally);
		AtomicReference<StreamPublisher> streamHolder = new AtomicReference<>();
		AtomicInteger unacknowledgedAtClose = new AtomicInteger();
		AtomicInteger runningAtClose = new AtomicInteger();
		AtomicLong closeStarted = new AtomicLong();
		Reliability.publisher(broker.getUrl(), "fixed-shutdown-publisher").run((publisher) -> {
			Reliability.awaitConnected(publisher);
			consumerRunner.withPropertyValues("reliability.work-millis=4", "mqtt.shutdown-timeout=5s").run((first) -> {
				MqttClientManager consumerClient = Reliability.awaitSubscribed(first);
				StreamPublisher stream = StreamPublisher.start(publisher.getBean(MqttTemplate.class), topic, 4, 1,
						MESSAGES, 500, 1_000);
				streamHolder.set(stream);
				await().atMost(Duration.ofSeconds(30)).until(() -> tally.distinct() >= MESSAGES / 20);
				unacknowledgedAtClose.set(consumerClient.getInFlight().getIncomingQos1());
				runningAtClose.set(tally.handlersRunning());
				closeStarted.set(System.nanoTime());
			});
			long closeMillis = Duration.ofNanos(System.nanoTime() - closeStarted.get()).toMillis();
			int receivedBeforeRestart = tally.distinct();
			assertThat(tally.handlersRunning()).as("handlers still running after close").isZero();
			assertThat(tally.handlersInterrupted()).as("handlers interrupted by close").isZero();
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(ourThreads()).as("listener threads after close")
					.noneMatch((name) -> name.startsWith("mqtt-" + Reliability.LISTENER_ID)));
			StreamPublisher stream = streamHolder.get();
			consumerRunner.run((second) -> {
				MqttClientManager consumerClient = Reliability.awaitSubscribed(second);
				assertThat(consumerClient.isSessionPresent()).as("session resumed").isTrue();
				assertThat(stream.awaitCompletion(Duration.ofSeconds(60))).as(stream.toString()).isTrue();
				assertThat(stream.failures()).as(stream.toString()).isEmpty();
				Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(60));
				Reliability.awaitSettled(second);
				Reliability.report("scenario 10 (graceful shutdown at load, QoS 1)",
						tally.summary(MESSAGES) + " receivedBeforeRestart=" + receivedBeforeRestart
								+ " unacknowledgedAtClose=" + unacknowledgedAtClose + " handlersRunningAtClose="
								+ runningAtClose + " closeTook=" + closeMillis + "ms");
			});
		});
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(ourThreads()).as("threads left after both applications closed")
				.isSubsetOf(threadsBefore));
	}

	/**
	 * Return the live threads of this library ({@code mqtt-*}) and of the HiveMQ client
	 * ({@code com.hivemq.client.mqtt-*}); JVM, test and broker threads are left out.
	 */
	private static Set<String> ourThreads() {
		List<String> prefixes = List.of("mqtt-", "com.hivemq.client.mqtt");
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.filter((name) -> prefixes.stream().anyMatch(name::startsWith))
			.collect(Collectors.toSet());
	}

}
