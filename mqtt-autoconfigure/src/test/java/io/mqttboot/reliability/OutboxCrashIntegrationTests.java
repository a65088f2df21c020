package io.mqttboot.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.mqttboot.RawMqttClient;
import io.mqttboot.test.MqttBrokerExtension;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable outbox against a real process kill: an application in a JVM of its own
 * ({@link OutboxCrashApplication}, {@code mqtt.outbox.store=file}) accepts 1,000 QoS 1
 * publishes while the broker is down and is killed with SIGKILL
 * ({@link Process#destroyForcibly()}); started again on the same directory with the
 * broker up, it publishes all 1,000, in order, to a subscriber of its own. The same when
 * it is killed while it publishes without pause: nothing whose future was returned is lost.
 */
class OutboxCrashIntegrationTests {

	private static final int MESSAGES = 1_000;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@TempDir
	Path directory;

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void killApplicationsAndRestoreBroker() {
		this.processes.forEach(Process::destroyForcibly);
		if (!broker.get().isRunning()) {
			broker.get().start();
		}
	}

	@Test
	void publishesAcceptedWhileTheBrokerWasDownShouldAllArriveInOrderAfterKill9AndRestart() throws Exception {
		MqttTestBroker mosquitto = broker.get();
		mosquitto.stop();
		Application first = launch(mosquitto.getUrl(), "publish", String.valueOf(MESSAGES));
		await().atMost(Duration.ofSeconds(90))
			.until(() -> first.printed("ACCEPTED " + MESSAGES + " ") || !first.process.isAlive());
		assertThat(first.printed("ACCEPTED " + MESSAGES + " ")).as(first::output).isTrue();
		first.process.destroyForcibly();
		assertThat(first.process.waitFor()).as("killed by SIGKILL").isEqualTo(137);
		assertThat(Files.size(this.directory.resolve("default.outbox"))).isGreaterThan(MESSAGES * 20L);
		mosquitto.start();
		try (RawMqttClient subscriber = RawMqttClient.connect(mosquitto.getHost(), mosquitto.getPort())) {
			subscriber.subscribe(OutboxCrashApplication.TOPIC, 1);
			long start = System.nanoTime();
			Application second = launch(mosquitto.getUrl(), "drain");
			await().atMost(Duration.ofSeconds(90))
				.until(() -> subscriber.received().size() >= MESSAGES || !second.process.isAlive());
			assertThat(subscriber.received()).as(second::output).hasSizeGreaterThanOrEqualTo(MESSAGES);
			long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			await().atMost(Duration.ofSeconds(30)).until(() -> second.printed("DRAINED"));
			assertThat(second.process.waitFor()).isZero();
			List<String> payloads = subscriber.payloads();
			Set<String> distinct = new HashSet<>(payloads);
			List<String> expected = new ArrayList<>();
			for (int i = 0; i < MESSAGES; i++) {
				expected.add("m" + i);
			}
			Reliability.report("outbox kill -9 (file store, QoS 1)",
					"arrived=" + distinct.size() + "/" + MESSAGES + " duplicates=" + (payloads.size() - distinct.size())
							+ " inOrder=" + payloads.equals(expected) + " restartToLastArrival=" + millis + "ms "
							+ first.line("ACCEPTED"));
			assertThat(payloads).containsExactlyElementsOf(expected);
		}
		assertThat(Files.size(this.directory.resolve("default.outbox"))).as("emptied after the PUBACKs").isEqualTo(8);
	}

	@Test
	void killInTheMiddleOfPublishingShouldLoseNoPublishWhoseFutureWasReturned() throws Exception {
		MqttTestBroker mosquitto = broker.get();
		mosquitto.stop();
		Application first = launch(mosquitto.getUrl(), "stream");
		await().atMost(Duration.ofSeconds(90)).until(() -> first.acceptedUpTo() >= 500 || !first.process.isAlive());
		first.process.destroyForcibly();
		assertThat(first.process.waitFor()).as(first::output).isEqualTo(137);
		int acceptedUpTo = first.acceptedUpTo();
		mosquitto.start();
		try (RawMqttClient subscriber = RawMqttClient.connect(mosquitto.getHost(), mosquitto.getPort())) {
			subscriber.subscribe(OutboxCrashApplication.TOPIC, 1);
			Application second = launch(mosquitto.getUrl(), "drain");
			await().atMost(Duration.ofSeconds(90)).until(() -> second.printed("DRAINED") || !second.process.isAlive());
			assertThat(second.process.waitFor()).as(second::output).isZero();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> subscriber.received().size() > acceptedUpTo);
			List<String> payloads = subscriber.payloads();
			List<String> expected = new ArrayList<>();
			for (int i = 0; i < payloads.size(); i++) {
				expected.add("m" + i);
			}
			Reliability.report("outbox kill -9 mid-publish (file store, QoS 1)",
					"acceptedUpTo=m" + acceptedUpTo + " arrived=" + payloads.size() + " inOrderWithoutGap="
							+ payloads.equals(expected) + " tornRecordReported="
							+ second.output().contains("ends with"));
			// Everything whose future was returned, in order, and at most the few accepted
			// after the last line printed (or written, not yet returned) besides.
			assertThat(payloads).containsExactlyElementsOf(expected).hasSizeGreaterThan(acceptedUpTo);
		}
	}

	private Application launch(String url, String... mode) throws IOException {
		List<String> args = new ArrayList<>(List.of(url, this.directory.toString()));
		args.addAll(List.of(mode));
		ChildJvm jvm = ChildJvm.launch(OutboxCrashApplication.class, "outbox-crash-" + mode[0] + ".log", args);
		this.processes.add(jvm.process());
		return new Application(jvm);
	}

	/**
	 * A launched application and the lines it printed.
	 */
	private static final class Application {

		private final Process process;

		private final ChildJvm jvm;

		Application(ChildJvm jvm) {
			this.jvm = jvm;
			this.process = jvm.process();
		}

		boolean printed(String prefix) {
			return this.jvm.printed(prefix);
		}

		int acceptedUpTo() {
			return this.jvm.lines()
				.filter((line) -> line.startsWith("ACCEPTED UP TO "))
				.mapToInt((line) -> Integer.parseInt(line.substring("ACCEPTED UP TO ".length())))
				.max()
				.orElse(-1);
		}

		String output() {
			return this.jvm.output();
		}

		String line(String prefix) {
			return this.jvm.line(prefix);
		}

	}

}
