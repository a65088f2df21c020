package io.mqttboot.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * B1, B2 (end-to-end throughput), B3 (publish throughput) and B5 (round-trip latency) in one
 * JVM against one broker. Every contender is started once, warmed up with a full-size round,
 * then measured in rounds that alternate the contenders (raw, starter, si, c, raw, ...).
 */
final class EndToEndMain {

	private static final int PAYLOAD = 64;

	private final Report report;

	private final int rounds;

	private final boolean quick;

	private EndToEndMain(Report report, int rounds, boolean quick) {
		this.report = report;
		this.rounds = rounds;
		this.quick = quick;
	}

	static void run(Args args) throws Exception {
		int port = args.getInt("port");
		boolean quick = args.has("quick");
		EndToEndMain main = new EndToEndMain(new Report(args.get("out")), args.getInt("rounds", 3), quick);
		RawContender raw = new RawContender(port);
		StarterContender starter = new StarterContender(port);
		SiContender si = new SiContender(port);
		Si5Contender si5 = new Si5Contender(port);
		CliContender c = new CliContender(port);
		// --contenders narrows the set, for profiling one contender; reports need raw, starter, si.
		String selected = args.get("contenders", "raw,starter,si,si5,c");
		List<Contender> all = List.of(raw, starter, si, si5, c)
			.stream()
			.filter((contender) -> List.of(selected.split(",")).contains(contender.name()))
			.toList();
		try {
			for (Contender contender : all) {
				contender.start();
				probe(contender);
			}
			String only = args.get("only", "B1,B2,B3,B5");
			if (only.contains("B1")) {
				main.endToEnd("B1", "QoS 0 end-to-end, 1 publisher → 1 no-op listener", all, 0,
						quick ? 20_000 : 200_000, starter, si);
			}
			if (only.contains("B2")) {
				main.endToEnd("B2", "QoS 1 end-to-end, same in-flight window", all, 1, quick ? 10_000 : 100_000,
						starter, si);
			}
			if (only.contains("B3")) {
				main.publishOnly(raw, starter);
			}
			if (only.contains("B5")) {
				main.latency(raw, starter);
			}
		}
		finally {
			for (Contender contender : all) {
				try {
					contender.close();
				}
				catch (Exception ex) {
					System.err.println("Closing " + contender.name() + " failed: " + ex);
				}
			}
		}
	}

	/**
	 * Send probes on both topics until one arrives, so that no measured run races the
	 * subscription.
	 */
	private static void probe(Contender contender) throws Exception {
		byte[] probe = Payloads.of(Payloads.PROBE, PAYLOAD);
		for (int qos = 0; qos <= 1; qos++) {
			contender.sink().reset(Payloads.PROBE, Long.MAX_VALUE);
			int attempts = 0;
			do {
				if (++attempts > 100) {
					throw new IllegalStateException(contender.name() + " never received a probe at QoS " + qos);
				}
				contender.publish(1, qos, probe);
			}
			while (!contender.sink().awaitAny(200));
		}
		TimeUnit.MILLISECONDS.sleep(300);
	}

	private record Run(double perSecond, long lost, long duplicates, long stale) {
	}

	private Run once(Contender contender, int count, int qos) throws Exception {
		byte tag = Payloads.nextTag();
		byte[] payload = Payloads.of(tag, PAYLOAD);
		contender.prepare(count, payload);
		Sink sink = contender.sink();
		sink.reset(tag, count);
		long start = System.nanoTime();
		contender.publish(count, qos, payload);
		long end = sink.await(start, 5_000, 180_000);
		long received = sink.received();
		// Give duplicates of a QoS 1 run a moment to show up before the next run starts.
		TimeUnit.MILLISECONDS.sleep(300);
		long total = sink.received();
		double seconds = (end - start) / 1e9;
		return new Run(Math.min(received, count) / seconds, Math.max(0, count - total), Math.max(0, total - count),
				sink.stale());
	}

	private void endToEnd(String id, String title, List<Contender> contenders, int qos, int count,
			StarterContender starter, SiContender si) throws Exception {
		String queue = (qos == 0) ? "q0" : "q1";
		long droppedBefore = starter.dropped(queue);
		long refusedBefore = si.refusedPublishes();
		Map<String, List<Double>> rates = new LinkedHashMap<>();
		Map<String, long[]> losses = new LinkedHashMap<>();
		for (Contender contender : contenders) {
			rates.put(contender.name(), new ArrayList<>());
			losses.put(contender.name(), new long[3]);
		}
		for (int round = 0; round <= this.rounds; round++) {
			for (Contender contender : contenders) {
				Run run = once(contender, count, qos);
				String label = (round == 0) ? "warm-up" : "round " + round;
				System.err.printf("%s %s %-7s %,.0f msg/s lost=%d dup=%d stale=%d%n", id, label, contender.name(),
						run.perSecond(), run.lost(), run.duplicates(), run.stale());
				if (round > 0) {
					rates.get(contender.name()).add(run.perSecond());
					long[] loss = losses.get(contender.name());
					loss[0] += run.lost();
					loss[1] += run.duplicates();
				}
			}
		}
		double rawRate = Stats.median(rates.getOrDefault("raw", List.of()));
		double siRate = Stats.median(rates.getOrDefault("si", List.of()));
		double starterRate = Stats.median(rates.getOrDefault("starter", List.of()));
		this.report.section(id + " — " + title,
				"Payload " + PAYLOAD + " B, " + String.format("%,d", count) + " messages per run, QoS " + qos
						+ ", median of " + this.rounds + " alternating rounds after a full-size warm-up round.");
		Report.Table table = this.report.table("contender", "msg/s (median)", "each round", "lost", "duplicates",
				"× raw", "× si");
		for (Map.Entry<String, List<Double>> entry : rates.entrySet()) {
			double median = Stats.median(entry.getValue());
			long[] loss = losses.get(entry.getKey());
			table.row(entry.getKey(), Stats.rate(median),
					String.join(" / ", entry.getValue().stream().map(Stats::rate).toList()), loss[0], loss[1],
					Stats.ratio(median / rawRate), Stats.ratio(median / siRate));
		}
		table.print();
		long starterLost = losses.getOrDefault("starter", new long[3])[0];
		this.report.write(String.format(
				"%nTarget starter ≥ 0.90 × raw: %s (%.2f); starter ≥ 1.0 × si: %s (%.2f); starter lost %d"
						+ " (listener queue drops during this benchmark: %d); si refused publishes retried: %d.%n",
				Stats.verdict(starterRate >= 0.90 * rawRate && starterLost == 0), starterRate / rawRate,
				Stats.verdict(starterRate >= siRate && starterLost == 0), starterRate / siRate, starterLost,
				starter.dropped(queue) - droppedBefore, si.refusedPublishes() - refusedBefore));
	}

	private void publishOnly(RawContender raw, StarterContender starter) throws Exception {
		// { QoS, payload bytes, messages per run }: QoS 0 runs are longer so that they last
		// long enough to measure (a few hundred ms at least).
		int scale = this.quick ? 5 : 1;
		int[][] cells = { { 0, 64, 400_000 / scale }, { 1, 64, 100_000 / scale }, { 0, 4096, 100_000 / scale },
				{ 1, 4096, 50_000 / scale } };
		Map<String, List<Double>> rawRates = new LinkedHashMap<>();
		Map<String, List<Double>> starterRates = new LinkedHashMap<>();
		for (int round = 0; round <= this.rounds; round++) {
			for (int[] cell : cells) {
				String key = "QoS " + cell[0] + ", " + ((cell[1] >= 1024) ? (cell[1] / 1024) + " KB" : cell[1] + " B");
				byte[] payload = Payloads.of(Payloads.nextTag(), cell[1]);
				int count = cell[2];
				Timed rawRun = () -> raw.publishOnly("bench/raw/publish-only", count, cell[0], payload)
					.get(120, TimeUnit.SECONDS);
				Timed starterRun = () -> starter.publishOnly("bench/starter/publish-only", count, cell[0], payload)
					.get(120, TimeUnit.SECONDS);
				// A QoS 0 future completes when the bytes are written, not when the broker has
				// read them: fence each run with a QoS 1 publish on the same connection (its
				// PUBACK means the broker consumed everything before it), so that a run never
				// competes with the broker's backlog of the previous one, and swap the order
				// every round.
				Timed rawFence = () -> raw.publishOnly("bench/raw/publish-only", 1, 1, payload)
					.get(120, TimeUnit.SECONDS);
				Timed starterFence = () -> starter.publishOnly("bench/starter/publish-only", 1, 1, payload)
					.get(120, TimeUnit.SECONDS);
				double rawRate;
				double starterRate;
				if (round % 2 == 0) {
					rawRate = timePublish(rawRun, rawFence, count);
					starterRate = timePublish(starterRun, starterFence, count);
				}
				else {
					starterRate = timePublish(starterRun, starterFence, count);
					rawRate = timePublish(rawRun, rawFence, count);
				}
				System.err.printf("B3 %s %s raw %,.0f/s starter %,.0f/s%n", (round == 0) ? "warm-up" : "round " + round,
						key, rawRate, starterRate);
				if (round > 0) {
					rawRates.computeIfAbsent(key, (k) -> new ArrayList<>()).add(rawRate);
					starterRates.computeIfAbsent(key, (k) -> new ArrayList<>()).add(starterRate);
				}
			}
		}
		this.report.section("B3 — MqttTemplate publish throughput vs raw async publish",
				"Publishes per run (QoS 0: " + String.format("%,d", cells[0][2]) + " at 64 B, "
						+ String.format("%,d", cells[2][2]) + " at 4 KB; QoS 1: " + String.format("%,d", cells[1][2])
						+ " at 64 B, " + String.format("%,d", cells[3][2]) + " at 4 KB) to a topic without"
						+ " subscribers, timed until every"
						+ " future completed (QoS 0: written, QoS 1: PUBACK), then fenced by a QoS 1 publish"
						+ " (untimed) so the broker is idle before the next run; raw first in even rounds,"
						+ " starter first in odd ones; median of " + this.rounds + " rounds after a warm-up round.");
		Report.Table table = this.report.table("case", "raw msg/s", "starter msg/s", "starter × raw", "target ≥ 0.95");
		for (String key : rawRates.keySet()) {
			double rawRate = Stats.median(rawRates.get(key));
			double starterRate = Stats.median(starterRates.get(key));
			table.row(key, Stats.rate(rawRate), Stats.rate(starterRate), Stats.ratio(starterRate / rawRate),
					Stats.verdict(starterRate >= 0.95 * rawRate));
		}
		table.print();
	}

	private interface Timed {

		void run() throws Exception;

	}

	private static double timePublish(Timed publish, Timed fence, int count) throws Exception {
		long start = System.nanoTime();
		publish.run();
		double rate = count / ((System.nanoTime() - start) / 1e9);
		fence.run();
		TimeUnit.MILLISECONDS.sleep(200);
		return rate;
	}

	private interface RoundTrip {

		long run(byte[] payload) throws Exception;

	}

	private interface Leg {

		long last();

	}

	private void latency(RawContender raw, StarterContender starter) throws Exception {
		int samples = this.quick ? 500 : 3_000;
		byte[] payload = Payloads.of(Payloads.nextTag(), PAYLOAD);
		Map<String, RoundTrip> contenders = new LinkedHashMap<>();
		contenders.put("raw", raw::roundTrip);
		contenders.put("starter", starter::roundTrip);
		Map<String, Leg> legs = Map.of("raw", raw::lastRequestLeg, "starter", starter::lastRequestLeg);
		Map<String, List<Double>> legP50 = new LinkedHashMap<>();
		Map<String, List<Double>> p50 = new LinkedHashMap<>();
		Map<String, List<Double>> p99 = new LinkedHashMap<>();
		for (int round = 0; round <= this.rounds; round++) {
			for (Map.Entry<String, RoundTrip> contender : contenders.entrySet()) {
				long[] times = new long[(round == 0) ? samples * 2 : samples];
				long[] firstLeg = new long[times.length];
				for (int i = 0; i < times.length; i++) {
					times[i] = contender.getValue().run(payload);
					firstLeg[i] = legs.get(contender.getKey()).last();
				}
				double median = Stats.percentile(times, 50) / 1000.0;
				double tail = Stats.percentile(times, 99) / 1000.0;
				System.err.printf("B5 %s %-7s p50 %.1f µs p99 %.1f µs%n", (round == 0) ? "warm-up" : "round " + round,
						contender.getKey(), median, tail);
				if (round > 0) {
					p50.computeIfAbsent(contender.getKey(), (k) -> new ArrayList<>()).add(median);
					p99.computeIfAbsent(contender.getKey(), (k) -> new ArrayList<>()).add(tail);
					legP50.computeIfAbsent(contender.getKey(), (k) -> new ArrayList<>())
						.add(Stats.percentile(firstLeg, 50) / 1000.0);
				}
			}
		}
		this.report.section("B5 — QoS 1 round-trip latency (request → listener → reply → listener)",
				samples + " sequential round trips per run, one in flight, payload " + PAYLOAD
						+ " B; raw: HiveMQ callbacks; starter: MqttTemplate.publishAsync → @MqttListener replies"
						+ " with MqttTemplate.publishAsync → @MqttListener. Median over " + this.rounds
						+ " alternating rounds of each round's percentile.");
		Report.Table table = this.report.table("contender", "p50 µs", "p99 µs", "p50 − raw p50",
				"p50 of leg 1 (publish → request listener) µs");
		double rawP50 = Stats.median(p50.get("raw"));
		for (String name : contenders.keySet()) {
			double median = Stats.median(p50.get(name));
			table.row(name, Stats.fixed(median, 1), Stats.fixed(Stats.median(p99.get(name)), 1),
					Stats.fixed(median - rawP50, 1), Stats.fixed(Stats.median(legP50.get(name)), 1));
		}
		table.print();
		double starterP50 = Stats.median(p50.get("starter"));
		this.report.write(String.format("%nTarget starter p50 ≤ raw p50 + 50 µs: %s (+%.1f µs).%n",
				Stats.verdict(starterP50 <= rawP50 + 50), starterP50 - rawP50));
	}

}
