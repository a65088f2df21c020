package io.mqttboot.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs B4 through the JMH API and reports the median of the measurement iterations.
 */
final class DispatchMain {

	private DispatchMain() {
	}

	static void run(Args args) throws Exception {
		boolean quick = args.has("quick");
		Report report = new Report(args.get("out"));
		Options options = new OptionsBuilder().include(DispatchBenchmark.class.getName() + "\\.")
			.forks(1)
			.warmupIterations(quick ? 2 : 3)
			.warmupTime(TimeValue.milliseconds(quick ? 300 : 1000))
			.measurementIterations(quick ? 3 : 5)
			.measurementTime(TimeValue.milliseconds(quick ? 300 : 1000))
			.jvmArgsAppend("-Xmx1g")
			.shouldFailOnError(true)
			.output(args.get("jmh-log", "target/jmh-output.txt"))
			.build();
		Collection<RunResult> results = new Runner(options).run();
		Map<Integer, double[]> byFilters = new TreeMap<>();
		for (RunResult result : results) {
			int filters = Integer.parseInt(result.getParams().getParam("filters"));
			String method = result.getParams().getBenchmark();
			List<Double> scores = new ArrayList<>();
			for (var benchmark : result.getBenchmarkResults()) {
				for (IterationResult iteration : benchmark.getIterationResults()) {
					scores.add(iteration.getPrimaryResult().getScore());
				}
			}
			double median = Stats.median(scores);
			double[] cell = byFilters.computeIfAbsent(filters, (key) -> new double[2]);
			cell[method.endsWith(".trie") ? 0 : 1] = median;
		}
		report.section("B4 — dispatch cost: topic trie vs linear scan (JMH)",
				"Average time to find the matching listeners of one incoming topic; JMH, 1 fork, "
						+ (quick ? "2×0.3 s warm-up, median of 3×0.3 s" : "3×1 s warm-up, median of 5×1 s")
						+ " measurement iterations. Linear = TopicFilter.matches over every filter.");
		Report.Table table = report.table("filters", "trie ns/msg", "linear ns/msg", "linear ÷ trie");
		for (Map.Entry<Integer, double[]> entry : byFilters.entrySet()) {
			double[] cell = entry.getValue();
			table.row(String.format("%,d", entry.getKey()), Stats.fixed(cell[0], 0), Stats.fixed(cell[1], 0),
					Stats.fixed(cell[1] / cell[0], 1));
		}
		table.print();
		double[] thousand = byFilters.get(1000);
		if (thousand != null) {
			report.write(String.format(
					"%nTarget ≤ 2 µs per message at 1,000 filters: %s (%.0f ns); ≥ 50 × faster than linear: %s (%.1f ×).%n",
					Stats.verdict(thousand[0] <= 2000), thousand[0], Stats.verdict(thousand[1] / thousand[0] >= 50),
					thousand[1] / thousand[0]));
		}
	}

}
