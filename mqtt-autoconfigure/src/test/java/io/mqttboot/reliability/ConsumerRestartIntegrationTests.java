package io.mqttboot.reliability;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
 * Scenario 4 of {@code docs/reliability.md}: the consuming application is shut down and
 * started again with the same client id and its persistent session while the publisher
 * keeps publishing QoS 1 messages. The broker queues what arrives meanwhile; the restarted
 * application must process every message.
 */
@ExtendWith(QuietBrokerLogExtension.class)
class ConsumerRestartIntegrationTests {

	private static final int MESSAGES = 3_000;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@Test
	void consumerRestartedWithItsPersistentSessionShouldProcessEveryMessagePublishedWhileItWasDown() {
		DeliveryTally tally = new DeliveryTally();
		String topic = "restart/q1";
		ApplicationContextRunner consumerRunner = Reliability.consumer(broker.getUrl(), "fixed-restart-consumer",
				topic, tally);
		AtomicReference<StreamPublisher> streamHolder = new AtomicReference<>();
		AtomicInteger acknowledgedAtShutdown = new AtomicInteger();
		Reliability.publisher(broker.getUrl(), "fixed-restart-publisher").run((publisher) -> {
			Reliability.awaitConnected(publisher);
			consumerRunner.run((first) -> {
				Reliability.awaitSubscribed(first);
				// 1,000 messages a second: the stream goes on while the consumer is down.
				StreamPublisher stream = StreamPublisher.start(publisher.getBean(MqttTemplate.class), topic, 4, 1,
						MESSAGES, 500, 1_000);
				streamHolder.set(stream);
				await().atMost(Duration.ofSeconds(30)).until(() -> tally.distinct() >= MESSAGES / 5);
			});
			StreamPublisher stream = streamHolder.get();
			int receivedBeforeRestart = tally.distinct();
			acknowledgedAtShutdown.set(stream.acknowledged());
			// The broker keeps queueing for the session while no consumer is connected.
			await().atMost(Duration.ofSeconds(30))
				.until(() -> stream.acknowledged() >= acknowledgedAtShutdown.get() + MESSAGES / 10);
			int publishedWhileDown = stream.acknowledged() - acknowledgedAtShutdown.get();
			consumerRunner.run((second) -> {
				MqttClientManager consumerClient = Reliability.awaitSubscribed(second);
				assertThat(consumerClient.isSessionPresent()).as("session resumed").isTrue();
				assertThat(stream.awaitCompletion(Duration.ofSeconds(60))).as(stream.toString()).isTrue();
				assertThat(stream.failures()).as(stream.toString()).isEmpty();
				Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(60));
				Reliability.awaitSettled(second);
				Reliability.report("scenario 4 (consumer restart, QoS 1)",
						tally.summary(MESSAGES) + " receivedBeforeRestart=" + receivedBeforeRestart
								+ " publishedWhileDown>=" + publishedWhileDown);
			});
		});
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
	}

}
