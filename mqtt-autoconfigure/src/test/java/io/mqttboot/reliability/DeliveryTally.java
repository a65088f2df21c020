package io.mqttboot.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a consumer received in a reliability scenario: the distinct message ids, how many
 * deliveries repeated an id already seen, and which ids never arrived. Thread-safe; it
 * outlives the application contexts of a scenario so that a restarted consumer adds to
 * the same record.
 */
final class DeliveryTally {

	private final Set<Integer> received = ConcurrentHashMap.newKeySet();

	private final LongAdder deliveries = new LongAdder();

	private final LongAdder duplicates = new LongAdder();

	private final Set<Integer> duplicateIds = new ConcurrentSkipListSet<>();

	private final AtomicInteger handlersRunning = new AtomicInteger();

	private final LongAdder handlersInterrupted = new LongAdder();

	private volatile CountDownLatch gate = new CountDownLatch(0);

	/**
	 * Record one delivery to the listener.
	 * @param payload the payload, the message id as text
	 */
	void record(String payload) {
		int id = Integer.parseInt(payload);
		this.deliveries.increment();
		if (!this.received.add(id)) {
			this.duplicates.increment();
			this.duplicateIds.add(id);
		}
	}

	/**
	 * Make handlers that start from now on wait (a listener stuck in slow work) until
	 * {@link #release()}.
	 */
	void hold() {
		this.gate = new CountDownLatch(1);
	}

	/**
	 * Let held handlers go on.
	 */
	void release() {
		this.gate.countDown();
	}

	/**
	 * Wait while handlers are held.
	 * @throws InterruptedException if interrupted while waiting
	 */
	void awaitGate() throws InterruptedException {
		this.gate.await(60, TimeUnit.SECONDS);
	}

	/**
	 * Record a handler that starts; pair with {@link #handlerFinished(boolean)}.
	 */
	void handlerStarted() {
		this.handlersRunning.incrementAndGet();
	}

	/**
	 * Record a handler that returns.
	 * @param interrupted whether its work was interrupted
	 */
	void handlerFinished(boolean interrupted) {
		if (interrupted) {
			this.handlersInterrupted.increment();
		}
		this.handlersRunning.decrementAndGet();
	}

	int handlersRunning() {
		return this.handlersRunning.get();
	}

	long handlersInterrupted() {
		return this.handlersInterrupted.sum();
	}

	int distinct() {
		return this.received.size();
	}

	long deliveries() {
		return this.deliveries.sum();
	}

	/**
	 * Return the ids delivered more than once.
	 * @return the ids in ascending order
	 */
	Set<Integer> duplicateIds() {
		return this.duplicateIds;
	}

	long duplicates() {
		return this.duplicates.sum();
	}

	boolean contains(int id) {
		return this.received.contains(id);
	}

	/**
	 * Return the ids in {@code [0, sent)} that never arrived.
	 * @param sent how many messages were published, with ids {@code 0..sent-1}
	 * @return the missing ids in ascending order
	 */
	List<Integer> missing(int sent) {
		List<Integer> missing = new ArrayList<>();
		for (int id = 0; id < sent; id++) {
			if (!this.received.contains(id)) {
				missing.add(id);
			}
		}
		return missing;
	}

	/**
	 * Describe the outcome, for assertion messages and the report.
	 * @param sent how many messages were published
	 * @return {@code sent=.. received=.. duplicates=.. lost=..}
	 */
	String summary(int sent) {
		List<Integer> missing = missing(sent);
		return "sent=" + sent + " received=" + distinct() + " deliveries=" + deliveries() + " duplicates="
				+ duplicates() + " lost=" + missing.size()
				+ (missing.isEmpty() ? "" : " first lost ids=" + missing.subList(0, Math.min(20, missing.size())))
				+ (this.duplicateIds.isEmpty() ? ""
						: " first duplicate ids=" + this.duplicateIds.stream().limit(20).toList());
	}

}
