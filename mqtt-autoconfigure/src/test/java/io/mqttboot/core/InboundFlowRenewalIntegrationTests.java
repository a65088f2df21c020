package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MosquittoBroker;
import io.mqttboot.test.MqttBrokerExtension;
import io.mqttboot.test.MqttTestBroker;
import io.reactivex.Scheduler;
import io.reactivex.disposables.Disposable;
import io.reactivex.schedulers.Schedulers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The inbound flow of a client is renewed as soon as a CONNACK without a session arrives
 * on a reconnect, not only once HiveMQ's error ending the old flow has been delivered.
 * <p>
 * HiveMQ delivers that error on its application scheduler. Under load (benchmark B7) it
 * came after the first messages of the new session, which then found no flow: HiveMQ
 * acknowledges such messages without handing them to anyone, so they were lost. The test
 * holds the error back for as long as it likes: the client's application scheduler gives
 * every RxJava worker its own thread, and the workers in use when the broker restarts (the
 * old flow's among them) are held until the end of the test, while workers created later
 * run. The broker restart ends the clean session, so the reconnect has none.
 * <p>
 * QoS 1 messages published once the broker shows the new subscription then come back
 * acknowledged in one of two ways, both visible in mosquitto's log: by the listener after
 * processing them, or by HiveMQ unseen for want of a flow. Only the first is correct.
 */
class InboundFlowRenewalIntegrationTests {

	private static final String CLIENT_ID = "inbound-flow-renewal";

	private static final String TOPIC = "renewal/orders";

	private static final int MESSAGES = 20;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(RecordingListener.class, HoldableSchedulerConfiguration.class)
		.withPropertyValues("mqtt.client-id=" + CLIENT_ID, "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms");

	@Test
	void messagesOfANewSessionShouldReachTheListenerWhileTheOldFlowHasNotEndedYet() {
		MqttTestBroker mosquitto = broker.get();
		assumeTrue(mosquitto instanceof MosquittoBroker, "needs mosquitto's log to see subscriptions and PUBACKs");
		this.contextRunner.withPropertyValues("mqtt.url=" + mosquitto.getUrl()).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			HoldableScheduler scheduler = context.getBean(HoldableScheduler.class);
			awaitSubscribed(manager, Duration.ofSeconds(20));
			publish(mosquitto, List.of("before-restart"));
			await().atMost(Duration.ofSeconds(20)).until(() -> listener.received.contains("before-restart"));
			List<String> published = IntStream.range(0, MESSAGES).mapToObj((i) -> "new-session-" + i).toList();
			int mark = mosquitto.getLog().length();
			try (HoldableScheduler.Hold hold = scheduler.holdWorkersInUse()) {
				assertThat(hold.workers()).as("workers held, the inbound flow's among them").isPositive();
				mosquitto.restart();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> mosquitto.getLog().indexOf("Sending SUBACK to " + CLIENT_ID, mark) >= 0);
				assertThat(manager.getReconnectCount()).as("reconnects").isPositive();
				assertThat(manager.isSessionPresent()).as("session present after the restart").isFalse();
				publish(mosquitto, published);
				await().atMost(Duration.ofSeconds(20))
					.until(() -> count(mosquitto.getLog().substring(mark),
							"Received PUBACK from " + CLIENT_ID + " (") >= MESSAGES);
				assertThat(listener.received).as("received after the restart, all of them acknowledged")
					.containsAll(published);
			}
			assertThat(listener.received).hasSize(1 + MESSAGES);
		});
	}

	private static void publish(MqttTestBroker broker, List<String> payloads) {
		try (RawMqttClient publisher = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			payloads.forEach((payload) -> publisher.publish(TOPIC, payload, 1, false));
		}
	}

	private static long count(String log, String text) {
		return log.lines().filter((line) -> line.contains(text)).count();
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "renewal", topics = TOPIC, qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class HoldableSchedulerConfiguration {

		@Bean
		HoldableScheduler holdableScheduler() {
			return new HoldableScheduler();
		}

		@Bean
		MqttClientCustomizer holdableApplicationScheduler(HoldableScheduler scheduler) {
			return (builder) -> builder.executorConfig().applicationScheduler(scheduler).applyExecutorConfig();
		}

	}

	/**
	 * An RxJava scheduler that gives each worker a thread of its own, like
	 * {@link Schedulers#newThread()}, and can hold the workers in use at a given moment
	 * without holding those created afterwards. A worker runs its tasks in order, so a task
	 * scheduled on a held worker waits until the hold is released.
	 */
	static final class HoldableScheduler extends Scheduler {

		private final List<Worker> workers = new CopyOnWriteArrayList<>();

		@Override
		public Worker createWorker() {
			this.workers.removeIf(Disposable::isDisposed);
			Worker worker = Schedulers.newThread().createWorker();
			this.workers.add(worker);
			return worker;
		}

		/**
		 * Hold every worker that is in use now until the hold is closed.
		 * @return the hold
		 */
		Hold holdWorkersInUse() {
			Hold hold = new Hold();
			for (Worker worker : this.workers) {
				if (!worker.isDisposed()) {
					worker.schedule(hold::await);
					hold.held++;
				}
			}
			return hold;
		}

		static final class Hold implements AutoCloseable {

			private final CountDownLatch release = new CountDownLatch(1);

			private int held;

			int workers() {
				return this.held;
			}

			private void await() {
				try {
					// Bounded, so that a broken test cannot leave threads behind for good.
					this.release.await(1, TimeUnit.MINUTES);
				}
				catch (InterruptedException ex) {
					// The worker was disposed: nothing of it is left to hold.
					Thread.currentThread().interrupt();
				}
			}

			@Override
			public void close() {
				this.release.countDown();
			}

		}

	}

}
