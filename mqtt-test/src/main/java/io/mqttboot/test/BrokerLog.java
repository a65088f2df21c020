package io.mqttboot.test;

/**
 * What a test broker logged, kept in memory for {@link MqttTestBroker#getLog()}.
 * <p>
 * Bounded, so a long test with {@code log_type all} cannot exhaust the heap: once full, the oldest
 * text is dropped and a marker says so.
 */
final class BrokerLog {

	private static final int DEFAULT_CAPACITY = 4 * 1024 * 1024;

	private static final String TRUNCATED = "[mqttboot] ... earlier log lines dropped ...\n";

	private final int capacity;

	private final StringBuilder text = new StringBuilder();

	private long dropped;

	BrokerLog() {
		this(DEFAULT_CAPACITY);
	}

	BrokerLog(int capacity) {
		this.capacity = capacity;
	}

	synchronized void appendLine(String line) {
		this.text.append(line).append('\n');
		int excess = this.text.length() - this.capacity;
		if (excess > 0) {
			int cut = this.text.indexOf("\n", excess);
			cut = (cut < 0) ? this.text.length() : cut + 1;
			this.text.delete(0, cut);
			this.dropped += cut;
		}
	}

	/**
	 * Return a position that {@link #since(long)} reads from, stable while old text is dropped.
	 * @return the current end of the log
	 */
	synchronized long mark() {
		return this.dropped + this.text.length();
	}

	synchronized String since(long mark) {
		int start = (int) Math.max(0, mark - this.dropped);
		return this.text.substring(Math.min(start, this.text.length()));
	}

	@Override
	public synchronized String toString() {
		return (this.dropped > 0) ? TRUNCATED + this.text : this.text.toString();
	}

}
