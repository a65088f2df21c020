package io.mqttboot.reliability;

import java.time.Duration;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 3 of {@code docs/reliability.md}: mosquitto, with persistence on, is killed
 * with SIGKILL in the middle of a QoS 1 stream and started again; the consumer has a
 * persistent session.
 * <p>
 * What is guaranteed, honestly: mosquitto writes its state to disk after changes (the test
 * broker autosaves after every change), not before it acknowledges, so a PUBACK can reach
 * the publisher a moment before the message is on disk, and a crash in that window loses
 * a message the publisher believes delivered. No client can close that window. What the
 * client must do is lose nothing else: messages without a PUBACK are resent after the
 * restart, queued and in-flight messages of the consumer's session come back from disk,
 * and messages published during the outage wait in the outbox. So the broker is killed
 * at a moment when everything the publisher got a PUBACK for is saved: the publisher's
 * link is frozen first (PUBACKs the broker sends afterwards stay in the proxy, so those
 * messages count as unacknowledged and are resent), then the test waits for mosquitto's
 * {@code Saving in-memory database} line after the last PUBLISH it received, then kills.
 */
@ExtendWith(QuietBrokerLogExtension.class)
class BrokerCrashIntegrationTests {

	private static final int MESSAGES = 2_000;

	private static final String PUBLISHER_ID = "fixed-crash-publisher";

	private static final String SAVED = "Saving in-memory database";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().persistence(true).build();

	@Test
	void brokerKilledMidStreamShouldLoseNoQos1MessageOfAPersistentSession() {
		DeliveryTally tally = new DeliveryTally();
		String topic = "crash/q1";
		MqttTestBroker mosquitto = broker.get();
		try (FaultProxy proxy = FaultProxy.to(mosquitto)) {
			Reliability.consumer(mosquitto.getUrl(), "fixed-crash-consumer", topic, tally).run((consumer) -> {
				MqttClientManager consumerClient = Reliability.awaitSubscribed(consumer);
				Reliability.publisher(proxy.getUrl(), PUBLISHER_ID).run((publisher) -> {
					MqttClientManager publisherClient = Reliability.awaitConnected(publisher);
					long start = System.nanoTime();
					// 1,000 messages a second: the stream is still going when the broker dies.
					StreamPublisher stream = StreamPublisher.start(publisher.getBean(MqttTemplate.class), topic, 4, 1,
							MESSAGES, 500, 1_000);
					await().atMost(Duration.ofSeconds(30)).until(() -> tally.distinct() >= MESSAGES / 8);
					// The listener gets stuck, so that the broker holds a backlog for the
					// consumer's session, in flight and queued, when it dies.
					tally.hold();
					int stuckAt = tally.distinct();
					await().atMost(Duration.ofSeconds(30)).until(() -> stream.acknowledged() >= stuckAt + MESSAGES / 8);
					proxy.freeze();
					int acknowledgedAtFreeze = stream.acknowledged();
					await().atMost(Duration.ofSeconds(10))
						.during(Duration.ofMillis(300))
						.until(() -> savedAfterLastPublish(mosquitto.getLog()));
					int receivedAtKill = tally.distinct();
					int outstandingAtKill = stream.outstanding();
					long killedAt = System.nanoTime();
					mosquitto.kill();
					mosquitto.start();
					proxy.unfreeze();
					tally.release();
					await().atMost(Duration.ofSeconds(30))
						.until(() -> consumerClient.isConnected() && publisherClient.isConnected());
					long outageMillis = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
					assertThat(consumerClient.isSessionPresent()).as("consumer session restored from disk").isTrue();
					assertThat(stream.awaitCompletion(Duration.ofSeconds(60))).as(stream.toString()).isTrue();
					assertThat(stream.failures()).as(stream.toString()).isEmpty();
					Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(60));
					long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
					Reliability.awaitSettled(consumer);
					Reliability.report("scenario 3 (SIGKILL + restart, QoS 1)",
							tally.summary(MESSAGES) + " acknowledgedAtFreeze=" + acknowledgedAtFreeze
									+ " receivedAtKill=" + receivedAtKill + " publisherOutstandingAtKill="
									+ outstandingAtKill + " reconnectedAfter=" + outageMillis + "ms time=" + millis + "ms");
					assertThat(receivedAtKill).as("killed with a backlog for the consumer")
						.isLessThan(acknowledgedAtFreeze);
				});
			});
		}
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
	}

	private static boolean savedAfterLastPublish(String log) {
		int lastPublish = log.lastIndexOf("Received PUBLISH from " + PUBLISHER_ID);
		return lastPublish >= 0 && log.indexOf(SAVED, lastPublish) >= 0;
	}

}
