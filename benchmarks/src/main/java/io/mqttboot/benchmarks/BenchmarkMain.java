package io.mqttboot.benchmarks;

import java.util.Arrays;

/**
 * Entry point of the benchmarks jar; {@code benchmarks/run.sh} calls each part in turn.
 * <ul>
 * <li>{@code e2e} — B1, B2, B3, B5</li>
 * <li>{@code scale} — B8 (fan-in over distinct topics), B10 (payload sizes)</li>
 * <li>{@code dispatch} — B4 (JMH)</li>
 * <li>{@code allocation} — B11 (JMH with the GC profiler; needs {@code --port} of a broker)</li>
 * <li>{@code startup} — B6 (starts one JVM per measurement)</li>
 * <li>{@code startup-child} — one B6 start, called by {@code startup}</li>
 * <li>{@code slow-consumer} — B7 (run it with {@code -Xmx256m})</li>
 * <li>{@code moquette} — runs a Moquette broker (B7 against a broker that keeps to the client's
 * receive maximum) until killed</li>
 * <li>{@code blocking-listener-header} (measures the broker cap), {@code blocking-listener} — B9,
 * one JVM per row ({@code --contender starter|si}, {@code --concurrency N}, {@code --virtual} for
 * virtual threads, Java 21+), {@code blocking-listener-chart} — the B9 chart from the rows' CSV</li>
 * <li>{@code jmh} — the plain JMH command line, for profiling ({@code jmh -prof gc ...})</li>
 * </ul>
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			System.err.println("Usage: java -jar benchmarks.jar e2e|scale|dispatch|allocation|startup|slow-consumer|moquette|blocking-listener|jmh [options]");
			System.exit(2);
		}
		Args options = new Args(args, 1);
		switch (args[0]) {
			case "e2e" -> EndToEndMain.run(options);
			case "scale" -> ScaleMain.run(options);
			case "dispatch" -> DispatchMain.run(options);
			case "allocation" -> AllocationMain.run(options);
			case "startup" -> StartupMain.run(options);
			case "startup-child" -> StartupMain.child(options);
			case "slow-consumer" -> SlowConsumerMain.run(options);
			case "moquette" -> MoquetteMain.run(options);
			case "blocking-listener-header" -> BlockingListenerMain.header(options);
			case "blocking-listener" -> BlockingListenerMain.run(options);
			case "blocking-listener-chart" -> BlockingListenerMain.chart(options);
			case "jmh" -> org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
			default -> {
				System.err.println("Unknown benchmark '" + args[0] + "'");
				System.exit(2);
			}
		}
		System.exit(0);
	}

}
