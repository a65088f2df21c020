package io.mqttboot.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttSubscriptionStatus;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.handler.annotation.Payload;

/**
 * B6: the start of an application with 500 {@code @MqttListener} methods against one with a
 * single listener, each in a fresh JVM (what a user waits for), alternating. B14 (variant 0):
 * the same one-listener application without the starter (its auto-configurations excluded,
 * the listener bean a plain bean), ready when {@code SpringApplication.run} returns. "Ready" means the
 * context is refreshed and the broker acknowledged every subscription. SUBSCRIBE packets are
 * counted in the debug log of a separate mosquitto, so the main broker is not slowed by
 * logging.
 */
final class StartupMain {

	/** The starter's auto-configurations, excluded for the start without the starter (B14). */
	private static final String WITHOUT_STARTER = "io.mqttboot.autoconfigure.MqttAutoConfiguration,"
			+ "io.mqttboot.autoconfigure.MqttEmbeddedBrokerAutoConfiguration,"
			+ "io.mqttboot.autoconfigure.health.MqttHealthContributorAutoConfiguration,"
			+ "io.mqttboot.autoconfigure.actuate.MqttEndpointAutoConfiguration,"
			+ "io.mqttboot.autoconfigure.metrics.MqttMetricsAutoConfiguration";

	private StartupMain() {
	}

	static void run(Args args) throws Exception {
		int port = args.getInt("port");
		Path log = Path.of(args.get("broker-log"));
		int rounds = args.getInt("rounds", 3);
		Report report = new Report(args.get("out"));
		// --variants 0,-1,1,500: 0 = without the starter (B14), -1 = without the starter but
		// with the plain HiveMQ client connecting and subscribing (B14's floor), 1 and 500
		// listeners (B6, B14).
		int[] variants = java.util.Arrays.stream(args.get("variants", "1,500").split(","))
			.mapToInt(Integer::parseInt)
			.toArray();
		String java = ProcessHandle.current().info().command().orElse("java");
		String classpath = System.getProperty("java.class.path");
		Map<Integer, List<Double>> ready = new TreeMap<>();
		Map<Integer, List<Double>> refresh = new TreeMap<>();
		Map<Integer, List<Long>> packets = new TreeMap<>();
		Map<Integer, List<Long>> filters = new TreeMap<>();
		for (int round = 0; round <= rounds; round++) {
			for (int variant : variants) {
				String clientId = "bench-startup-" + variant + "-r" + round;
				Process child = new ProcessBuilder(java, "-cp", classpath, BenchmarkMain.class.getName(),
						"startup-child", "--port", String.valueOf(port), "--listeners", String.valueOf(variant),
						"--client-id", clientId)
					.redirectError(ProcessBuilder.Redirect.INHERIT)
					.start();
				String result = null;
				try (BufferedReader reader = new BufferedReader(
						new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
					String line;
					while ((line = reader.readLine()) != null) {
						if (line.startsWith("READY ")) {
							result = line;
						}
					}
				}
				if (!child.waitFor(60, TimeUnit.SECONDS) || child.exitValue() != 0 || result == null) {
					throw new IllegalStateException("Startup child for " + variant + " listeners failed");
				}
				TimeUnit.MILLISECONDS.sleep(300);
				long subscribes = 0;
				long subscribed = 0;
				for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
					if (line.endsWith("Received SUBSCRIBE from " + clientId)) {
						subscribes++;
					}
					else if (line.contains(" " + clientId + " 1 bench/startup/")) {
						subscribed++;
					}
				}
				String[] parts = result.split(" ");
				double readyMillis = Double.parseDouble(parts[1]);
				double refreshMillis = Double.parseDouble(parts[2]);
				System.err.printf("B6 %s %3d listeners: ready %.0f ms after JVM start (context run %.0f ms),"
						+ " %d SUBSCRIBE packets, %d filters%n", (round == 0) ? "warm-up" : "round " + round, variant,
						readyMillis, refreshMillis, subscribes, subscribed);
				if (round > 0) {
					ready.computeIfAbsent(variant, (k) -> new ArrayList<>()).add(readyMillis);
					refresh.computeIfAbsent(variant, (k) -> new ArrayList<>()).add(refreshMillis);
					packets.computeIfAbsent(variant, (k) -> new ArrayList<>()).add(subscribes);
					filters.computeIfAbsent(variant, (k) -> new ArrayList<>()).add(subscribed);
				}
			}
		}
		if (ready.containsKey(0) && ready.containsKey(1)) {
			report.section("B14 — startup with the starter and 1 listener vs the same application without it",
					"Each start in a fresh JVM (" + rounds + " alternating rounds after a warm-up round, medians)."
							+ " Without the starter: the same @SpringBootConfiguration/@EnableAutoConfiguration"
							+ " application and listener bean, the starter's auto-configurations excluded"
							+ " (spring.autoconfigure.exclude; its jar stays on the class path), ready when"
							+ " SpringApplication.run returned. With the starter: ready when the broker also granted"
							+ " the subscription.");
			Report.Table table = report.table("application", "JVM start → ready ms", "SpringApplication.run ms");
			table.row("without the starter", Stats.fixed(Stats.median(ready.get(0)), 0),
					Stats.fixed(Stats.median(refresh.get(0)), 0));
			if (ready.containsKey(-1)) {
				table.row("without the starter, plain HiveMQ client connects and subscribes",
						Stats.fixed(Stats.median(ready.get(-1)), 0), Stats.fixed(Stats.median(refresh.get(-1)), 0));
			}
			table.row("starter, 1 listener", Stats.fixed(Stats.median(ready.get(1)), 0),
					Stats.fixed(Stats.median(refresh.get(1)), 0));
			table.print();
			if (ready.containsKey(-1)) {
				List<Double> plain = new ArrayList<>();
				List<Double> overPlain = new ArrayList<>();
				for (int i = 0; i < ready.get(0).size(); i++) {
					plain.add(ready.get(-1).get(i) - ready.get(0).get(i));
					overPlain.add(ready.get(1).get(i) - ready.get(-1).get(i));
				}
				report.write(String.format("%nThe plain HiveMQ client alone, per round (ms): %s, median %+.0f; the starter"
						+ " over the plain client: %s, median %+.0f.%n",
						String.join(" / ", plain.stream().map((d) -> String.format("%+.0f", d)).toList()),
						Stats.median(plain),
						String.join(" / ", overPlain.stream().map((d) -> String.format("%+.0f", d)).toList()),
						Stats.median(overPlain)));
			}
			// Starts of one round run back to back: the median of the per-round differences is
			// less exposed to load that comes and goes than the difference of the medians.
			List<Double> deltas = new ArrayList<>();
			for (int i = 0; i < ready.get(0).size(); i++) {
				deltas.add(ready.get(1).get(i) - ready.get(0).get(i));
			}
			double delta = Stats.median(deltas);
			report.write(String.format("%nPer-round differences (ms): %s. Target ≤ +150 ms (median of the per-round"
					+ " differences): %s (%+.0f ms).%n",
					String.join(" / ", deltas.stream().map((d) -> String.format("%+.0f", d)).toList()),
					Stats.verdict(delta <= 150), delta));
		}
		if (!ready.containsKey(500) || !ready.containsKey(1)) {
			return;
		}
		report.section("B6 — startup with 500 @MqttListener methods vs 1",
				"Each start in a fresh JVM (" + rounds + " alternating rounds after a warm-up round, medians)."
						+ " Ready = SpringApplication.run returned and the broker granted every subscription."
						+ " SUBSCRIBE packets and granted filters counted in mosquitto's debug log.");
		Report.Table table = report.table("listeners", "JVM start → ready ms", "SpringApplication.run ms",
				"SUBSCRIBE packets", "filters subscribed");
		for (int variant : new int[] { 1, 500 }) {
			table.row(variant, Stats.fixed(Stats.median(ready.get(variant)), 0),
					Stats.fixed(Stats.median(refresh.get(variant)), 0), join(packets.get(variant)),
					join(filters.get(variant)));
		}
		table.print();
		double delta = Stats.median(ready.get(500)) - Stats.median(ready.get(1));
		long maxPackets = packets.get(500).stream().mapToLong(Long::longValue).max().orElse(-1);
		report.write(String.format("%nTarget ≤ +1 s: %s (+%.0f ms); subscriptions batched: %s (%d SUBSCRIBE packets"
				+ " for 500 filters).%n", Stats.verdict(delta <= 1000), delta, Stats.verdict(maxPackets == 1),
				maxPackets));
	}

	private static String join(List<Long> values) {
		return String.join(" / ", values.stream().map(String::valueOf).toList());
	}

	static void child(Args args) throws Exception {
		int listeners = args.getInt("listeners");
		long begin = System.nanoTime();
		if (listeners == -1) {
			// The floor of B14: the application without the starter that connects the plain
			// HiveMQ client itself and subscribes once, ready at the SUBACK.
			ConfigurableApplicationContext context = new SpringApplicationBuilder(App1.class)
				.web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off", "logging.level.root=WARN",
						"spring.autoconfigure.exclude=" + WITHOUT_STARTER)
				.run();
			com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient client = com.hivemq.client.mqtt.MqttClient.builder()
				.useMqttVersion5()
				.identifier(args.get("client-id"))
				.serverHost("127.0.0.1")
				.serverPort(args.getInt("port"))
				.buildAsync();
			client.connect().get(30, TimeUnit.SECONDS);
			client.subscribeWith()
				.topicFilter("bench/startup/l0/+")
				.qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
				.callback((publish) -> {
				})
				.send()
				.get(30, TimeUnit.SECONDS);
			double refreshMillis = (System.nanoTime() - begin) / 1e6;
			System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime() + " " + refreshMillis);
			System.out.flush();
			client.disconnect().get(10, TimeUnit.SECONDS);
			context.close();
			return;
		}
		if (listeners == 0) {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(App1.class)
				.web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off", "logging.level.root=WARN",
						"spring.autoconfigure.exclude=" + WITHOUT_STARTER)
				.run();
			double refreshMillis = (System.nanoTime() - begin) / 1e6;
			if (context.getBeanNamesForType(MqttClientManager.class).length != 0) {
				throw new IllegalStateException("The starter is still configured");
			}
			System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime() + " " + refreshMillis);
			System.out.flush();
			context.close();
			return;
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(
				(listeners == 1) ? App1.class : App500.class)
			.web(WebApplicationType.NONE)
			.properties("mqtt.url=tcp://127.0.0.1:" + args.get("port"), "mqtt.client-id=" + args.get("client-id"),
					"spring.main.banner-mode=off", "logging.level.root=WARN")
			.run();
		double refreshMillis = (System.nanoTime() - begin) / 1e6;
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!granted(manager.getSubscriptions(), listeners)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Subscriptions not granted: " + manager.getSubscriptions());
			}
			Thread.onSpinWait();
			TimeUnit.MICROSECONDS.sleep(200);
		}
		long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
		System.out.println("READY " + uptime + " " + refreshMillis);
		System.out.flush();
		context.close();
	}

	private static boolean granted(List<MqttSubscriptionStatus> subscriptions, int expected) {
		return subscriptions.size() == expected
				&& subscriptions.stream().allMatch((status) -> status.grantedQos() != null);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(StartupListener1.class)
	static class App1 {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(StartupListeners500.class)
	static class App500 {

	}

	static class StartupListener1 {

		@MqttListener(topics = "bench/startup/l0/+", qos = 1)
		void onMessage(@Payload byte[] payload) {
		}

	}

}
