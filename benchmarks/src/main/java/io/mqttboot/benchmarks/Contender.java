package io.mqttboot.benchmarks;

/**
 * One way of moving messages from a publisher through the broker to a no-op listener.
 * Each contender owns its connections for the whole run and publishes to and listens on its
 * own topics ({@code bench/<name>/q0}, {@code bench/<name>/q1}).
 */
interface Contender extends AutoCloseable {

	String name();

	/**
	 * Connect and subscribe; returns when a probe message went through on every topic.
	 */
	void start() throws Exception;

	/** The sink that counts what the listener received. */
	Sink sink();

	/**
	 * Do the work that is not part of publishing (such as writing an input file) before the
	 * clock starts.
	 */
	default void prepare(int count, byte[] payload) throws Exception {
	}

	/**
	 * Publish {@code count} copies of the payload at the QoS, as fast as the contender's
	 * publishing API allows; may return before the messages are delivered.
	 */
	void publish(int count, int qos, byte[] payload) throws Exception;

	static String topic(String contender, int qos) {
		return "bench/" + contender + "/q" + qos;
	}

}
