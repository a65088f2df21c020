package io.mqttboot.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs B11 ({@link AllocationBenchmark}) through the JMH API with the GC profiler and reports the
 * median {@code gc.alloc.rate.norm} of the measurement iterations.
 */
final class AllocationMain {

	private AllocationMain() {
	}

	static void run(Args args) throws Exception {
		boolean quick = args.has("quick");
		Report report = new Report(args.get("out"));
		Options options = new OptionsBuilder().include(AllocationBenchmark.class.getName() + "\\.")
			.forks(1)
			.warmupIterations(quick ? 2 : 3)
			.warmupTime(TimeValue.seconds(1))
			.measurementIterations(quick ? 3 : 5)
			.measurementTime(TimeValue.seconds(1))
			.addProfiler(GCProfiler.class)
			.jvmArgsAppend("-Xmx1g", "-Dbench.port=" + args.get("port"))
			.shouldFailOnError(true)
			.output(args.get("jmh-log", "target/jmh-allocation.txt"))
			.build();
		Collection<RunResult> results = new Runner(options).run();
		Map<String, double[]> byMethod = new LinkedHashMap<>();
		for (RunResult result : results) {
			String method = result.getParams().getBenchmark();
			method = method.substring(method.lastIndexOf('.') + 1);
			List<Double> time = new ArrayList<>();
			List<Double> bytes = new ArrayList<>();
			for (var benchmark : result.getBenchmarkResults()) {
				for (IterationResult iteration : benchmark.getIterationResults()) {
					time.add(iteration.getPrimaryResult().getScore());
					Result<?> norm = iteration.getSecondaryResults().get("gc.alloc.rate.norm");
					if (norm != null) {
						bytes.add(norm.getScore());
					}
				}
			}
			byMethod.put(method, new double[] { Stats.median(time), Stats.median(bytes) });
		}
		report.section("B11 — allocation per received message (JMH, -prof gc)",
				"gc.alloc.rate.norm (bytes per operation, all threads) and time per operation; JMH, 1 fork, "
						+ (quick ? "2×1 s warm-up, median of 3×1 s" : "3×1 s warm-up, median of 5×1 s")
						+ " measurement iterations. starter: MqttReceivedMessage → MqttMessageDispatcher →"
						+ " listener container hand-off → @MqttListener void on(Reading, @TopicVariable String)"
						+ " with a 62-byte JSON payload, until acknowledged; raw: Jackson readValue of the same"
						+ " bytes into the same record plus the device level cut from the topic. HiveMQ's own"
						+ " decoding of the PUBLISH is the same for both and not measured.");
		Report.Table table = report.table("path", "B/msg", "ns/msg");
		byMethod.forEach((method, cell) -> table.row(method, Stats.fixed(cell[1], 0), Stats.fixed(cell[0], 0)));
		table.print();
		double[] raw = byMethod.get("raw");
		double[] starter = byMethod.get("starter");
		if (raw != null && starter != null) {
			report.write(String.format("%nTarget starter ≤ raw + 300 B: %s (starter %.0f B, raw %.0f B, +%.0f B).%n",
					Stats.verdict(starter[1] <= raw[1] + 300), starter[1], raw[1], starter[1] - raw[1]));
		}
	}

}
