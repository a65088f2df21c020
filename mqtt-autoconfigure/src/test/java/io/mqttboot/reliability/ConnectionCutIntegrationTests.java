package io.mqttboot.reliability;

import java.time.Duration;
import java.util.Random;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenarios 1 and 2 of {@code docs/reliability.md}: 10,000 messages from an
 * {@code MqttTemplate} to an {@code @MqttListener} while a fault proxy in front of both
 * applications resets every connection 10 times, at points drawn from a fixed seed. Both
 * applications use persistent sessions. QoS 1 may deliver a message twice but must lose
 * none; QoS 2 must deliver every message exactly once.
 * <p>
 * Each cut waits until the previous reconnect carried new messages. Cutting again while
 * mosquitto 2.0.11 is still resending makes it break QoS 2 itself: it resends a PUBLISH
 * whose PUBREL it already sent, and the client, which completed the exchange, must treat
 * it as a new message [MQTT-4.3.3-11]. Measured with back-to-back cuts: a block of 45 to
 * 445 messages delivered twice in 4 of 10 runs (1 of 10 with the client's earlier
 * callback wiring); the broker log shows the PUBLISH with DUP after the PUBREL.
 */
@ExtendWith(QuietBrokerLogExtension.class)
class ConnectionCutIntegrationTests {

	private static final int MESSAGES = 10_000;

	private static final int CUTS = 10;

	private static final long SEED = 20_260_501L;

	/**
	 * New messages the consumer must receive after a reconnect before the next cut.
	 */
	private static final int SETTLE = 100;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@Test
	void qos1StreamThroughTenConnectionCutsShouldLoseNoMessage() {
		DeliveryTally tally = streamThroughCuts(1);
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
	}

	@Test
	void qos2StreamThroughTenConnectionCutsShouldDeliverEveryMessageExactlyOnce() {
		DeliveryTally tally = streamThroughCuts(2);
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
		assertThat(tally.duplicates()).as(tally.summary(MESSAGES)).isZero();
	}

	@ParameterizedTest(name = "MQTT version {0}")
	@ValueSource(ints = { 5, 3 })
	void cleanSessionListenerShouldReceiveAgainAfterAConnectionCut(int version) {
		// A clean session ends with the connection, and with it the client's session
		// state; messages published while disconnected are lost, but once reconnected and
		// resubscribed the listener must receive again.
		DeliveryTally tally = new DeliveryTally();
		String topic = "cuts/clean" + version;
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			Reliability.consumer(proxy.getUrl(), "clean-consumer-" + version, topic, tally)
				.withPropertyValues("mqtt.clean-start=true", "mqtt.session-expiry=0", "mqtt.version=" + version)
				.run((consumer) -> {
					MqttClientManager consumerClient = Reliability.awaitSubscribed(consumer);
					Reliability.publisher(broker.getUrl(), "clean-publisher-" + version).run((publisher) -> {
						MqttTemplate template = publisher.getBean(MqttTemplate.class);
						template.newMessage("0").topic(topic + "/a").qos(1).publish();
						await().until(() -> tally.contains(0));
						proxy.cutAll();
						await().until(() -> consumerClient.getReconnectCount() == 1);
						Reliability.awaitSubscribed(consumer);
						template.newMessage("1").topic(topic + "/a").qos(1).publish();
						await().untilAsserted(() -> assertThat(tally.contains(1)).as(tally.summary(2)).isTrue());
					});
				});
		}
	}

	private DeliveryTally streamThroughCuts(int qos) {
		DeliveryTally tally = new DeliveryTally();
		String topic = "cuts/q" + qos;
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			Reliability.consumer(proxy.getUrl(), "fixed-cuts-consumer-q" + qos, topic, tally).run((consumer) -> {
				MqttClientManager consumerClient = Reliability.awaitSubscribed(consumer);
				Reliability.publisher(proxy.getUrl(), "fixed-cuts-publisher-q" + qos).run((publisher) -> {
					MqttClientManager publisherClient = Reliability.awaitConnected(publisher);
					long start = System.nanoTime();
					StreamPublisher stream = StreamPublisher.start(publisher.getBean(MqttTemplate.class), topic, 4, qos,
							MESSAGES, 500);
					// Cut when the consumer has received a random share of the stream and both
					// clients are connected, so that every cut hits messages in flight in both
					// directions.
					int[] cutPoints = new Random(SEED).ints(CUTS, MESSAGES / 20, MESSAGES - MESSAGES / 20)
						.sorted()
						.toArray();
					for (int cutPoint : cutPoints) {
						await().atMost(Duration.ofSeconds(60))
							.until(() -> tally.distinct() >= cutPoint && consumerClient.isConnected()
									&& publisherClient.isConnected());
						long consumerReconnects = consumerClient.getReconnectCount();
						long publisherReconnects = publisherClient.getReconnectCount();
						proxy.cutAll();
						// No second cut before the broker finished resending after the reconnect:
						// it resends before it sends anything new, so wait for new messages.
						// mosquitto 2.0.11 resends a QoS 2 PUBLISH instead of its PUBREL when the
						// connection dies again before that resend was written, and the receiver
						// then rightly takes it for a new message (see docs/reliability.md).
						await().atMost(Duration.ofSeconds(60))
							.until(() -> consumerClient.getReconnectCount() > consumerReconnects
									&& publisherClient.getReconnectCount() > publisherReconnects);
						int atReconnect = tally.distinct();
						await().atMost(Duration.ofSeconds(60))
							.until(() -> tally.distinct() >= Math.min(MESSAGES, atReconnect + SETTLE));
					}
					assertThat(stream.awaitCompletion(Duration.ofSeconds(90))).as(stream.toString()).isTrue();
					assertThat(stream.failures()).as(stream.toString()).isEmpty();
					Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(60));
					long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
					Reliability.awaitSettled(consumer);
					Reliability.report("scenario " + qos + " (QoS " + qos + ", " + CUTS + " cuts)",
							tally.summary(MESSAGES) + " publisherReconnects=" + publisherClient.getReconnectCount()
									+ " consumerReconnects=" + consumerClient.getReconnectCount() + " time=" + millis
									+ "ms");
					assertThat(consumerClient.getReconnectCount()).isGreaterThanOrEqualTo(CUTS);
					assertThat(publisherClient.getReconnectCount()).isGreaterThanOrEqualTo(CUTS);
				});
			});
		}
		return tally;
	}

}
