package io.mqttboot.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import io.mqttboot.ListenerContexts;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two applications of a reliability scenario, each in its own Spring context: a
 * publisher with an {@code MqttTemplate} and a consumer with an {@code @MqttListener} that
 * records every message id in a {@link DeliveryTally}. Both use persistent sessions (fixed
 * client id, {@code clean-start=false}, one hour session expiry) and reconnect fast.
 */
final class Reliability {

	static final String LISTENER_ID = "tally";

	private static final Path REPORT = Path.of("target", "reliability-report.txt");

	private Reliability() {
	}

	private static ApplicationContextRunner base(String url, String clientId) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues("mqtt.url=" + url, "mqtt.client-id=" + clientId, "mqtt.clean-start=false",
					"mqtt.session-expiry=1h", "mqtt.reconnect.initial-delay=50ms", "mqtt.reconnect.max-delay=500ms");
	}

	/**
	 * The consuming application: {@link TallyListener} on {@code <topicPrefix>/+}.
	 * @param url the broker (or proxy) URL
	 * @param clientId the fixed client id of its persistent session
	 * @param topicPrefix the topic prefix the publisher uses
	 * @param tally where the listener records what it receives
	 * @return the runner
	 */
	static ApplicationContextRunner consumer(String url, String clientId, String topicPrefix, DeliveryTally tally) {
		return base(url, clientId).withBean(DeliveryTally.class, () -> tally)
			.withUserConfiguration(TallyListener.class)
			.withPropertyValues("reliability.topic=" + topicPrefix);
	}

	/**
	 * The publishing application.
	 * @param url the broker (or proxy) URL
	 * @param clientId the fixed client id of its persistent session
	 * @return the runner
	 */
	static ApplicationContextRunner publisher(String url, String clientId) {
		return base(url, clientId).withPropertyValues("mqtt.outbox.capacity=20000", "mqtt.publish.timeout=60s");
	}

	/**
	 * Wait until the client of a context is connected and the broker granted its
	 * subscriptions.
	 * @param context the context
	 * @return the client manager
	 */
	static MqttClientManager awaitSubscribed(ApplicationContext context) {
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		ListenerContexts.awaitSubscribed(manager, Duration.ofSeconds(20));
		return manager;
	}

	/**
	 * Wait until the client of a context is connected.
	 * @param context the context
	 * @return the client manager
	 */
	static MqttClientManager awaitConnected(ApplicationContext context) {
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
		return manager;
	}

	/**
	 * Wait until the consumer received every id in {@code [0, sent)}; on timeout the
	 * failure lists what is missing.
	 * @param tally the consumer's tally
	 * @param sent how many messages were published
	 * @param timeout how long to wait
	 */
	static void awaitAllReceived(DeliveryTally tally, int sent, Duration timeout) {
		await().atMost(timeout)
			.pollInterval(Duration.ofMillis(200))
			.untilAsserted(() -> assertThat(tally.distinct()).as(tally.summary(sent)).isEqualTo(sent));
	}

	/**
	 * Return the container of the {@link TallyListener}.
	 * @param context the consumer context
	 * @return the container
	 */
	static MqttListenerContainer container(ApplicationContext context) {
		return context.getBean(MqttListenerEndpointRegistry.class).getListenerContainer(LISTENER_ID);
	}

	/**
	 * Wait until the consumer holds nothing unacknowledged, so that a redelivery caused by
	 * the last fault has arrived before duplicates are counted.
	 * @param context the consumer context
	 */
	static void awaitSettled(ApplicationContext context) {
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		MqttListenerContainer container = container(context);
		await().atMost(Duration.ofSeconds(30))
			.during(Duration.ofMillis(300))
			.until(() -> container.getQueued() == 0 && manager.getInFlight().getIncomingQos1() == 0
					&& manager.getInFlight().getIncomingQos2() == 0);
	}

	/**
	 * Append one measured result to {@code target/reliability-report.txt} and print it.
	 * @param scenario the scenario
	 * @param result what was measured
	 */
	static void report(String scenario, String result) {
		String line = "[reliability] " + scenario + ": " + result;
		System.out.println(line);
		try {
			Files.createDirectories(REPORT.getParent());
			Files.writeString(REPORT, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Records the id in every payload. With {@code reliability.work-millis} set, each
	 * message takes that long to process (simulated work), so that a shutdown finds handlers
	 * running. An interrupted handler fails, so that its message stays unacknowledged.
	 */
	@Configuration(proxyBeanMethods = false)
	static class TallyListener {

		private final DeliveryTally tally;

		private final long workMillis;

		TallyListener(DeliveryTally tally, @Value("${reliability.work-millis:0}") long workMillis) {
			this.tally = tally;
			this.workMillis = workMillis;
		}

		@MqttListener(id = LISTENER_ID, topics = "${reliability.topic}/+", qos = 2,
				concurrency = "${reliability.concurrency:2}")
		void onMessage(String payload) {
			this.tally.handlerStarted();
			boolean interrupted = false;
			try {
				this.tally.awaitGate();
				if (this.workMillis > 0) {
					Thread.sleep(this.workMillis);
				}
			}
			catch (InterruptedException ex) {
				interrupted = true;
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while processing message " + payload, ex);
			}
			finally {
				if (!interrupted) {
					this.tally.record(payload);
				}
				this.tally.handlerFinished(interrupted);
			}
		}

	}

}
