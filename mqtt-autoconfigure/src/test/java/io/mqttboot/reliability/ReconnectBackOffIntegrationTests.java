package io.mqttboot.reliability;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttConnectionState;
import io.mqttboot.health.MqttHealthIndicator;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenarios 7 and 8 of {@code docs/reliability.md}: connections that can never last must
 * be retried with back-off, not in a tight loop. The number of attempts is counted in
 * mosquitto's own log over a fixed window and compared with the most the back-off
 * schedule allows: exponential from the initial delay, capped at the maximum, each delay
 * at least half its nominal value (equal jitter, see {@code MqttClientManager}).
 * <p>
 * Every log line is captured at TRACE for {@code io.mqttboot} and {@code com.hivemq}, with
 * the broker's log, to prove that the password is never written.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReconnectBackOffIntegrationTests {

	private static final String PASSWORD = "R3l-s3cr3t-pw";

	private static final String WRONG_PASSWORD = "Wr0ng-r3l-pw";

	private static final Duration INITIAL_DELAY = Duration.ofMillis(200);

	private static final Pattern NEW_CLIENT = Pattern.compile("New client connected from \\S+ as (\\S+) ");

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder()
		.allowAnonymous(false)
		.user("alice", PASSWORD)
		.build();

	private static final Map<String, Level> previousLevels = new HashMap<>();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.username=alice",
				"mqtt.reconnect.initial-delay=" + INITIAL_DELAY.toMillis() + "ms");

	@BeforeAll
	static void logEverything() {
		for (String name : new String[] { "io.mqttboot", "com.hivemq" }) {
			Logger logger = (Logger) LoggerFactory.getLogger(name);
			previousLevels.put(name, logger.getLevel());
			logger.setLevel(Level.TRACE);
		}
	}

	@AfterAll
	static void restoreLevels() {
		previousLevels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
	}

	@Test
	void wrongCredentialsShouldBeHealthDownNotAuthorizedAndRetriedWithBackOff(CapturedOutput output) {
		Duration maxDelay = Duration.ofSeconds(1);
		Duration window = Duration.ofSeconds(4);
		int bound = maxConnectionsInWindow(window, INITIAL_DELAY, maxDelay, 0);
		int mark = broker.get().getLog().length();
		this.contextRunner
			.withPropertyValues("mqtt.password=" + WRONG_PASSWORD, "mqtt.reconnect.max-delay=" + maxDelay.toMillis() + "ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				// Holds for the whole window, polled every 100 ms: a tight loop fails it early.
				await().during(window)
					.atMost(window.plusSeconds(2))
					.until(() -> refusedSince(mark) <= bound);
				int attempts = refusedSince(mark);
				Health health = new MqttHealthIndicator(manager).health();
				Reliability.report("scenario 7 (wrong credentials)",
						attempts + " CONNECT attempts refused in " + window.toMillis() + " ms (back-off allows at most "
								+ bound + "; initial " + INITIAL_DELAY.toMillis() + " ms, max " + maxDelay.toMillis()
								+ " ms); health " + health.getStatus() + " " + health.getDetails().get("lastDisconnectReason"));
				assertThat(attempts).as("retried at all").isGreaterThanOrEqualTo(4);
				assertThat(manager.getState()).isEqualTo(MqttConnectionState.RECONNECTING);
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).hasEntrySatisfying("lastDisconnectReason",
						(reason) -> assertThat(reason.toString()).containsPattern("(?i)not.authori[sz]ed")
							.contains("0x87"));
			});
		assertThat(output).contains("NOT_AUTHORIZED").doesNotContain(WRONG_PASSWORD).doesNotContain(PASSWORD);
		assertThat(broker.get().getLog()).contains("not authorised")
			.doesNotContain(WRONG_PASSWORD)
			.doesNotContain(PASSWORD);
	}

	@Test
	void twoApplicationsWithTheSameClientIdShouldTakeTheSessionFromEachOtherOnlyAsOftenAsTheBackOffAllows(
			CapturedOutput output) {
		Duration maxDelay = Duration.ofSeconds(2);
		Duration window = Duration.ofSeconds(6);
		// The first application's initial connection happens before the window.
		int bound = maxConnectionsInWindow(window, INITIAL_DELAY, maxDelay, 1)
				+ maxConnectionsInWindow(window, INITIAL_DELAY, maxDelay, 1) - 1;
		ApplicationContextRunner sameId = this.contextRunner.withPropertyValues("mqtt.password=" + PASSWORD,
				"mqtt.client-id=shared-id", "mqtt.reconnect.max-delay=" + maxDelay.toMillis() + "ms");
		sameId.run((first) -> {
			MqttClientManager a = first.getBean(MqttClientManager.class);
			await().until(a::isConnected);
			int mark = broker.get().getLog().length();
			sameId.run((second) -> {
				MqttClientManager b = second.getBean(MqttClientManager.class);
				await().during(window)
					.atMost(window.plusSeconds(2))
					.until(() -> connectionsSince(mark, "shared-id") <= bound);
				int connections = connectionsSince(mark, "shared-id");
				Reliability.report("scenario 8 (two applications, one client id)",
						connections + " connections accepted for 'shared-id' in " + window.toMillis()
								+ " ms (back-off allows at most " + bound + "; initial " + INITIAL_DELAY.toMillis()
								+ " ms, max " + maxDelay.toMillis() + " ms); take-overs detected: "
								+ (a.getSessionTakeOverCount() + b.getSessionTakeOverCount()));
				assertThat(connections).as("the two applications do take the session from each other")
					.isGreaterThanOrEqualTo(3);
				assertThat(a.getSessionTakeOverCount() + b.getSessionTakeOverCount()).isPositive();
			});
		});
		assertThat(output).contains("unique mqtt.client-id").doesNotContain(PASSWORD);
	}

	/**
	 * Return how many connection attempts of one application can fall into a window that
	 * starts with an attempt: retry n waits at least half of {@code min(initial * 2^n, max)},
	 * with n counting from 0 for refused attempts and from 1 for connections that were
	 * accepted and then taken over right away (they count as flaps, which add to n).
	 */
	private static int maxConnectionsInWindow(Duration window, Duration initial, Duration max, int firstExponent) {
		long elapsed = 0;
		int attempts = 1;
		for (int n = firstExponent;; n++) {
			long nominal = Math.min(max.toMillis(), initial.toMillis() << Math.min(n, 30));
			elapsed += nominal / 2;
			if (elapsed > window.toMillis()) {
				return attempts;
			}
			attempts++;
		}
	}

	private static int refusedSince(int mark) {
		String log = broker.get().getLog().substring(mark);
		return count(log, "disconnected, not authorised.");
	}

	private static int connectionsSince(int mark, String clientId) {
		Matcher matcher = NEW_CLIENT.matcher(broker.get().getLog().substring(mark));
		int count = 0;
		while (matcher.find()) {
			if (matcher.group(1).equals(clientId)) {
				count++;
			}
		}
		return count;
	}

	private static int count(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
			count++;
		}
		return count;
	}

}
