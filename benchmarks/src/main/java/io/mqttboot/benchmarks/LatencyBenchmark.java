package io.mqttboot.benchmarks;

/**
 * B5 topic names; the loop itself lives in {@link EndToEndMain}.
 */
final class LatencyBenchmark {

	private LatencyBenchmark() {
	}

	static String requestTopic(String contender) {
		return "bench/" + contender + "/rt/request";
	}

	static String replyTopic(String contender) {
		return "bench/" + contender + "/rt/reply";
	}

}
