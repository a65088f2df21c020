package io.mqttboot.reliability;

import java.time.Duration;
import java.util.UUID;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The session a QoS 1 listener gets without any session setting: with a configured
 * {@code mqtt.client-id} it resumes its session after a link cut of about a second and
 * loses nothing; with the session ending with the connection (session expiry zero, the
 * default for a generated client id) what is published during the cut is lost. 2,000
 * messages at 250 a second from a separate client, one outage after 500.
 */
@ExtendWith({ QuietBrokerLogExtension.class, OutputCaptureExtension.class })
class DefaultSessionIntegrationTests {

	private static final int MESSAGES = 2_000;

	private static final int PER_SECOND = 250;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(Reliability.TallyListener.class)
		.withPropertyValues("mqtt.reconnect.initial-delay=50ms", "mqtt.reconnect.max-delay=500ms");

	@Test
	void stableClientIdWithoutSessionSettingsShouldResumeTheSessionAfterALinkCutAndLoseNothing() {
		DeliveryTally tally = streamThroughOneOutage("default-session", (settings, client) -> {
			assertThat(settings.isCleanStart()).isTrue();
			assertThat(settings.getSessionExpiry()).isEqualTo(Duration.ofMinutes(5));
			assertThat(client.isSessionPresent()).isTrue();
		});
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
	}

	@Test
	void sessionEndingWithTheConnectionShouldLoseWhatIsPublishedDuringALinkCut() {
		DeliveryTally tally = streamThroughOneOutage("expiry-zero", (settings, client) -> {
			assertThat(settings.getSessionExpiry()).isZero();
			assertThat(client.isSessionPresent()).isFalse();
		}, "mqtt.session-expiry=0");
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isNotEmpty();
	}

	@Test
	void stableClientIdWithoutSessionSettingsShouldWarnThatMessagesPublishedWhileTheApplicationIsDownAreLost(
			CapturedOutput output) {
		this.contextRunner.withBean(DeliveryTally.class, DeliveryTally::new)
			.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.client-id=warned-" + UUID.randomUUID(),
					"reliability.topic=session/warned")
			.run((context) -> {
				Reliability.awaitSubscribed(context);
				assertThat(output).contains("which starts a new session on every application start"
						+ " (mqtt.clean-start=true): a lost connection resumes the session within"
						+ " mqtt.session-expiry (PT5M), but messages published while the application is down are lost");
			});
	}

	private DeliveryTally streamThroughOneOutage(String name, SessionCheck check, String... properties) {
		DeliveryTally tally = new DeliveryTally();
		String topic = "session/" + name;
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			this.contextRunner.withBean(DeliveryTally.class, () -> tally)
				.withPropertyValues("mqtt.url=" + proxy.getUrl(),
						"mqtt.client-id=" + name + "-" + UUID.randomUUID().toString().substring(0, 8),
						"reliability.topic=" + topic)
				.withPropertyValues(properties)
				.run((consumer) -> {
					MqttClientManager client = Reliability.awaitSubscribed(consumer);
					try (RawStreamPublisher stream = RawStreamPublisher.start(broker.getHost(), broker.getPort(),
							MESSAGES, PER_SECOND, topic)) {
						await().atMost(Duration.ofSeconds(30)).until(() -> stream.published() >= MESSAGES / 4);
						long reconnects = client.getReconnectCount();
						proxy.rejectNew(true);
						proxy.cutAll();
						int cutAt = stream.published();
						await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
						// About a second of messages while the broker cannot be reached.
						await().atMost(Duration.ofSeconds(10)).until(() -> stream.published() >= cutAt + PER_SECOND);
						proxy.rejectNew(false);
						await().atMost(Duration.ofSeconds(20))
							.until(() -> client.isConnected() && client.getReconnectCount() > reconnects);
						check.check(client.getSettings(), client);
						assertThat(stream.awaitCompletion(Duration.ofSeconds(60))).as(stream.toString()).isTrue();
						assertThat(stream.failures()).as(stream.toString()).isEmpty();
					}
					await().atMost(Duration.ofSeconds(30)).until(() -> tally.contains(MESSAGES - 1));
					Reliability.awaitSettled(consumer);
					Reliability.report("default session (" + name + ": clean-start "
							+ client.getSettings().isCleanStart() + ", session expiry "
							+ client.getSettings().getSessionExpiry() + ", QoS 1, " + PER_SECOND + "/s, 1 outage)",
							tally.summary(MESSAGES).replaceAll(" first lost ids=.*", "") + " sessionPresent="
									+ client.isSessionPresent());
				});
		}
		return tally;
	}

	@FunctionalInterface
	interface SessionCheck {

		void check(MqttClientSettings settings, MqttClientManager client);

	}

}
