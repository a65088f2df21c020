package io.mqttboot.reliability;

import java.time.Duration;
import java.util.UUID;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stream check of issue 10: 20,000 QoS 1 messages at 250 a second from a separate
 * client (a plain HiveMQ client connected straight to mosquitto) to a listener on a
 * persistent session behind a fault proxy. Five outages of about a second (connections
 * reset, new ones refused); during the second the listener is stopped and started again,
 * during the fourth a new listener bean is registered. The publisher sends every id to
 * {@code late/<n>} too, which only the late listener subscribes to, so that it receives
 * nothing unless its own subscription reaches the broker when the session resumes.
 * Nothing may be lost: the first listener must receive every id, the late one every id
 * from the first it received. Duplicates are counted and reported.
 */
@ExtendWith(QuietBrokerLogExtension.class)
class PersistentSessionStreamIntegrationTests {

	private static final int MESSAGES = 20_000;

	private static final int PER_SECOND = 250;

	private static final String TOPIC = "stream";

	private static final String LATE_TOPIC = "late";

	/**
	 * Published-message counts at which an outage starts.
	 */
	private static final int[] OUTAGES = { 2_000, 5_500, 9_000, 12_500, 16_000 };

	/**
	 * Messages published while the broker is unreachable: about one second.
	 */
	private static final int OUTAGE_MESSAGES = PER_SECOND;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@Test
	void qos1StreamFromAnotherClientThroughFiveOutagesWithListenerChangesShouldLoseNoMessage() {
		DeliveryTally tally = new DeliveryTally();
		DeliveryTally lateTally = new DeliveryTally();
		String clientId = "stream-consumer-" + UUID.randomUUID().toString().substring(0, 8);
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			Reliability.consumer(proxy.getUrl(), clientId, TOPIC, tally)
				.withPropertyValues("reliability.concurrency=2")
				.run((consumer) -> {
					MqttClientManager client = Reliability.awaitSubscribed(consumer);
					long start = System.nanoTime();
					try (RawStreamPublisher stream = RawStreamPublisher.start(broker.getHost(), broker.getPort(), MESSAGES,
							PER_SECOND, TOPIC, LATE_TOPIC)) {
						for (int outage = 0; outage < OUTAGES.length; outage++) {
							int at = OUTAGES[outage];
							await().atMost(Duration.ofSeconds(60)).until(() -> stream.published() >= at);
							Runnable change = switch (outage) {
								case 1 -> () -> {
									MqttListenerContainer container = Reliability.container(consumer);
									container.stop();
									container.start();
								};
								case 3 -> () -> {
									consumer.getSourceApplicationContext(GenericApplicationContext.class)
										.registerBean("lateTallyListener", LateTallyListener.class,
												() -> new LateTallyListener(lateTally));
									consumer.getBean(LateTallyListener.class);
								};
								default -> () -> {
								};
							};
							outage(proxy, client, stream, change);
							int received = tally.distinct();
							// The resumed session delivers again before the next outage.
							await().atMost(Duration.ofSeconds(60)).until(() -> tally.distinct() >= received + 100);
						}
						assertThat(stream.awaitCompletion(Duration.ofSeconds(120))).as(stream.toString()).isTrue();
						assertThat(stream.failures()).as(stream.toString()).isEmpty();
					}
					Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(60));
					await().atMost(Duration.ofSeconds(60)).until(() -> lateTally.contains(MESSAGES - 1));
					Reliability.awaitSettled(consumer);
					long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
					int lateFirst = lateFirst(lateTally);
					Reliability.report("stream check (QoS 1, raw publisher " + PER_SECOND + "/s, " + OUTAGES.length
							+ " outages, listener stopped+started, late bean)",
							tally.summary(MESSAGES) + " | late listener from id " + lateFirst + ": lost="
									+ lateTally.missing(MESSAGES).stream().filter((id) -> id >= lateFirst).count()
									+ " duplicates=" + lateTally.duplicates() + " | reconnects="
									+ client.getReconnectCount() + " sessionPresent=" + client.isSessionPresent()
									+ " time=" + millis + "ms");
					assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
					assertThat(lateTally.distinct()).isPositive();
					assertThat(lateTally.missing(MESSAGES).stream().filter((id) -> id >= lateFirst))
						.as("ids the late listener missed after its first")
						.isEmpty();
					assertThat(client.getReconnectCount()).isEqualTo(OUTAGES.length);
					assertThat(client.isSessionPresent()).isTrue();
					assertThat(consumer.getBean(MqttListenerEndpointRegistry.class).getListenerContainerIds())
						.contains(Reliability.LISTENER_ID, "lateTally");
				});
		}
	}

	private static int lateFirst(DeliveryTally lateTally) {
		for (int id = 0; id < MESSAGES; id++) {
			if (lateTally.contains(id)) {
				return id;
			}
		}
		return MESSAGES;
	}

	/**
	 * Reset the consumer's connection and refuse new ones while the publisher sends about a
	 * second's worth of messages; apply {@code change} while disconnected.
	 */
	private static void outage(FaultProxy proxy, MqttClientManager client, RawStreamPublisher stream, Runnable change) {
		long reconnects = client.getReconnectCount();
		proxy.rejectNew(true);
		proxy.cutAll();
		int cutAt = stream.published();
		await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
		change.run();
		await().atMost(Duration.ofSeconds(30)).until(() -> stream.published() >= cutAt + OUTAGE_MESSAGES);
		proxy.rejectNew(false);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> client.isConnected() && client.getReconnectCount() > reconnects);
	}

	/**
	 * A listener bean registered while the application runs (and the link is down).
	 */
	static class LateTallyListener {

		private final DeliveryTally tally;

		LateTallyListener(DeliveryTally tally) {
			this.tally = tally;
		}

		@MqttListener(id = "lateTally", topics = LATE_TOPIC + "/+", qos = 1)
		void onMessage(String payload) {
			this.tally.record(payload);
		}

	}

}
