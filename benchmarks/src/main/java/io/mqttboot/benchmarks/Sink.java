package io.mqttboot.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the messages a contender's listener receives. Every payload starts with a run tag:
 * only messages of the current run count, so a late message of an earlier run (or a probe)
 * is never mistaken for a delivery. Messages of other runs are counted as stale.
 */
final class Sink {

	private volatile byte tag;

	private volatile long expected = Long.MAX_VALUE;

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong stale = new AtomicLong();

	private volatile long lastNanos;

	private volatile long completedNanos;

	/**
	 * Start counting a run.
	 */
	void reset(byte tag, long expected) {
		this.tag = tag;
		this.expected = expected;
		this.received.set(0);
		this.stale.set(0);
		this.lastNanos = 0;
		this.completedNanos = 0;
	}

	void accept(byte first) {
		if (first != this.tag) {
			this.stale.incrementAndGet();
			return;
		}
		long count = this.received.incrementAndGet();
		long now = System.nanoTime();
		this.lastNanos = now;
		if (count == this.expected) {
			this.completedNanos = now;
		}
	}

	long received() {
		return this.received.get();
	}

	long stale() {
		return this.stale.get();
	}

	/**
	 * Wait until the expected count arrived, or nothing arrived for {@code idleMillis}.
	 * @return the time of the last counted message (the completing one if complete)
	 */
	long await(long startNanos, long idleMillis, long maxMillis) throws InterruptedException {
		long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(maxMillis);
		long lastCount = -1;
		long lastProgress = System.nanoTime();
		while (this.completedNanos == 0) {
			long now = System.nanoTime();
			long count = this.received.get();
			if (count != lastCount) {
				lastCount = count;
				lastProgress = now;
			}
			else if (now - lastProgress > TimeUnit.MILLISECONDS.toNanos(idleMillis) || now > deadline) {
				return (this.lastNanos != 0) ? this.lastNanos : now;
			}
			Thread.sleep(1);
		}
		return this.completedNanos;
	}

	/**
	 * Wait until at least one message of the current tag arrived.
	 */
	boolean awaitAny(long millis) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (this.received.get() == 0) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(5);
		}
		return true;
	}

}
