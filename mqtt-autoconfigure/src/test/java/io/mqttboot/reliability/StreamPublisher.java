package io.mqttboot.reliability;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.mqttboot.core.MqttTemplate;

/**
 * Publishes messages with ids {@code 0..count-1} (the id as text is the payload) through
 * {@link MqttTemplate#newMessage(Object) publishAsync} on its own thread, keeping at most
 * {@code window} futures outstanding, optionally at a fixed rate. Every future must
 * complete successfully; failures are kept with their id.
 */
final class StreamPublisher {

	private final MqttTemplate template;

	private final String topicPrefix;

	private final int topics;

	private final int qos;

	private final int count;

	private final Semaphore window;

	private final int perSecond;

	private final AtomicInteger submitted = new AtomicInteger();

	private final AtomicInteger acknowledged = new AtomicInteger();

	private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();

	private final CountDownLatch completed;

	private final Thread thread;

	private volatile boolean paused;

	private StreamPublisher(MqttTemplate template, String topicPrefix, int topics, int qos, int count, int window,
			int perSecond) {
		this.template = template;
		this.topicPrefix = topicPrefix;
		this.topics = topics;
		this.qos = qos;
		this.count = count;
		this.window = new Semaphore(window);
		this.perSecond = perSecond;
		this.completed = new CountDownLatch(count);
		this.thread = new Thread(this::run, "reliability-publisher");
		this.thread.setDaemon(true);
	}

	/**
	 * Start publishing as fast as the window allows.
	 * @param template the template
	 * @param topicPrefix messages go to {@code <prefix>/<id % topics>}
	 * @param topics the number of topics
	 * @param qos the QoS
	 * @param count the number of messages
	 * @param window the maximum number of outstanding futures
	 * @return the running publisher
	 */
	static StreamPublisher start(MqttTemplate template, String topicPrefix, int topics, int qos, int count,
			int window) {
		return start(template, topicPrefix, topics, qos, count, window, 0);
	}

	/**
	 * Start publishing at a fixed rate.
	 * @param template the template
	 * @param topicPrefix messages go to {@code <prefix>/<id % topics>}
	 * @param topics the number of topics
	 * @param qos the QoS
	 * @param count the number of messages
	 * @param window the maximum number of outstanding futures
	 * @param perSecond messages per second, {@code 0} for no limit
	 * @return the running publisher
	 */
	static StreamPublisher start(MqttTemplate template, String topicPrefix, int topics, int qos, int count, int window,
			int perSecond) {
		StreamPublisher publisher = new StreamPublisher(template, topicPrefix, topics, qos, count, window, perSecond);
		publisher.thread.start();
		return publisher;
	}

	private void run() {
		long start = System.nanoTime();
		for (int id = 0; id < this.count; id++) {
			if (this.perSecond > 0) {
				// Pace the stream, so that it spans the faults the scenario injects.
				long due = start + TimeUnit.SECONDS.toNanos(id) / this.perSecond;
				long wait = due - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
			}
			while (this.paused) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
			}
			this.window.acquireUninterruptibly();
			int messageId = id;
			this.submitted.incrementAndGet();
			try {
				this.template.newMessage(Integer.toString(id))
					.topic(this.topicPrefix + "/" + (id % this.topics))
					.qos(this.qos)
					.publishAsync()
					.whenComplete((result, ex) -> done(messageId, ex));
			}
			catch (RuntimeException ex) {
				done(messageId, ex);
			}
		}
	}

	private void done(int id, Throwable ex) {
		if (ex != null) {
			this.failures.put(id, ex);
		}
		else {
			this.acknowledged.incrementAndGet();
		}
		this.window.release();
		this.completed.countDown();
	}

	/**
	 * Stop submitting new messages until {@link #resume()}; outstanding ones continue.
	 */
	void pause() {
		this.paused = true;
	}

	void resume() {
		this.paused = false;
	}

	int submitted() {
		return this.submitted.get();
	}

	int acknowledged() {
		return this.acknowledged.get();
	}

	int outstanding() {
		return this.submitted.get() - this.acknowledged.get() - this.failures.size();
	}

	Map<Integer, Throwable> failures() {
		return this.failures;
	}

	int count() {
		return this.count;
	}

	/**
	 * Wait until every message was submitted and every future completed.
	 * @param timeout how long to wait
	 * @return whether all futures completed in time
	 */
	boolean awaitCompletion(Duration timeout) {
		try {
			return this.completed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public String toString() {
		return "published " + this.count + " (acknowledged " + acknowledged() + ", failed " + this.failures.size()
				+ (this.failures.isEmpty() ? "" : ", first failure " + this.failures.values().iterator().next()) + ")";
	}

}
