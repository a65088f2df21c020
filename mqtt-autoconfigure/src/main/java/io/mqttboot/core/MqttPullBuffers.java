package io.mqttboot.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.support.MqttTopics;

import org.springframework.util.Assert;

/**
 * The buffers behind {@link MqttOperations#receive(String, Duration)} of one client, the
 * counterpart of Paho's {@code MQTTClient_receive}: one QoS 1 subscription and one
 * bounded buffer per topic filter, made on the first {@code receive} of that filter and
 * kept (and renewed on every connection) for later calls.
 * <p>
 * A buffered message is acknowledged when {@code receive} hands it to the caller. A
 * message that finds its buffer full is acknowledged at once, dropped and counted
 * ({@code mqtt.receive.overflow}), with a WARN at most once a minute. Messages matching a
 * {@code receive} filter go to {@code receive} only, never to listeners of the same
 * client.
 *
 * @since 0.1.0
 */
public final class MqttPullBuffers {

	private static final Log logger = LogFactory.getLog(MqttPullBuffers.class);

	/**
	 * The default capacity of each buffer.
	 */
	public static final int DEFAULT_CAPACITY = 1000;

	private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final MqttClientManager manager;

	private volatile int capacity = DEFAULT_CAPACITY;

	private final Map<String, Buffer> buffers = new ConcurrentHashMap<>();

	private volatile Buffer[] matchOrder = new Buffer[0];

	private final LongAdder overflow = new LongAdder();

	private final LongAdder received = new LongAdder();

	private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

	MqttPullBuffers(MqttClientManager manager) {
		this.manager = manager;
	}

	/**
	 * Set the capacity of each buffer; applies to buffers created afterwards.
	 * @param capacity at least 1
	 */
	public void setCapacity(int capacity) {
		Assert.isTrue(capacity >= 1, "Receive buffer capacity must be at least 1");
		this.capacity = capacity;
	}

	/**
	 * Return the capacity of each buffer.
	 * @return the capacity
	 */
	public int getCapacity() {
		return this.capacity;
	}

	@Nullable MqttReceivedMessage receive(String topicFilter, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		Buffer buffer = buffer(topicFilter);
		if (buffer.subscribed.isCompletedExceptionally()) {
			// Refused last time (an ACL, for example): ask again.
			buffer = resubscribe(buffer);
		}
		try {
			buffer.subscribed.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return null;
		}
		catch (java.util.concurrent.ExecutionException ex) {
			Throwable cause = ex.getCause();
			throw (cause instanceof RuntimeException runtime) ? runtime
					: new MqttException("Could not subscribe to '" + topicFilter + "' for receive()", cause);
		}
		MqttReceivedMessage message = buffer.queue.poll(Math.max(0, deadline - System.nanoTime()),
				TimeUnit.NANOSECONDS);
		if (message != null) {
			this.received.increment();
			// Handed to the caller: the broker need not redeliver it.
			message.acknowledge();
		}
		return message;
	}

	private Buffer buffer(String topicFilter) {
		Buffer buffer = this.buffers.get(topicFilter);
		if (buffer != null) {
			return buffer;
		}
		MqttTopics.validateTopicFilter(topicFilter);
		Assert.isTrue(!topicFilter.startsWith(MqttTopics.SHARE_PREFIX),
				() -> "receive() does not take shared subscriptions but got '" + topicFilter + "'");
		synchronized (this) {
			buffer = this.buffers.get(topicFilter);
			if (buffer == null) {
				buffer = new Buffer(topicFilter, this.capacity);
				this.buffers.put(topicFilter, buffer);
				List<Buffer> order = new ArrayList<>(List.of(this.matchOrder));
				order.add(buffer);
				this.matchOrder = order.toArray(new Buffer[0]);
				subscribe(buffer);
			}
			return buffer;
		}
	}

	private synchronized Buffer resubscribe(Buffer buffer) {
		if (buffer.subscribed.isCompletedExceptionally()) {
			buffer.subscribed = new CompletableFuture<>();
			subscribe(buffer);
		}
		return buffer;
	}

	private void subscribe(Buffer buffer) {
		CompletableFuture<@Nullable Void> subscribed = buffer.subscribed;
		this.manager.subscribeInternal(MqttSubscription.of(buffer.filter, 1), this::offer).whenComplete((code, ex) -> {
			if (ex != null) {
				subscribed.completeExceptionally(ex);
			}
			else {
				subscribed.complete(null);
			}
		});
	}

	private boolean offer(MqttReceivedMessage message) {
		Buffer[] buffers = this.matchOrder;
		if (buffers.length == 0) {
			return false;
		}
		List<Buffer> matching = null;
		for (Buffer buffer : buffers) {
			if (MqttTopics.matches(buffer.filter, message.getTopic())) {
				if (matching == null) {
					matching = new ArrayList<>(1);
				}
				matching.add(buffer);
			}
		}
		if (matching == null) {
			return false;
		}
		if (matching.size() == 1) {
			put(matching.get(0), message);
			return true;
		}
		// Several filters match: each buffer gets its own copy, acknowledged when all were.
		AtomicInteger remaining = new AtomicInteger(matching.size());
		for (Buffer buffer : matching) {
			put(buffer, message.withAcknowledgement(() -> {
				if (remaining.decrementAndGet() == 0) {
					message.acknowledge();
				}
			}));
		}
		return true;
	}

	private void put(Buffer buffer, MqttReceivedMessage message) {
		if (buffer.queue.offer(message)) {
			return;
		}
		message.acknowledge();
		this.overflow.increment();
		long now = System.nanoTime();
		long last = this.lastWarning.get();
		if (now - last >= WARN_INTERVAL_NANOS && this.lastWarning.compareAndSet(last, now)) {
			logger.warn("MQTT client '" + this.manager.getName() + "': the receive() buffer of topic filter '"
					+ buffer.filter + "' holds " + buffer.queue.size() + " messages; a QoS " + message.getQos()
					+ " message from topic '" + message.getTopic() + "' was acknowledged and dropped ("
					+ getOverflowCount() + " so far, meter mqtt.receive.overflow; this warning repeats at most once a"
					+ " minute). Call receive() more often or raise mqtt.receive.buffer-capacity");
		}
	}

	/**
	 * Return the topic filters {@code receive} was called with.
	 * @return the filters
	 */
	public List<String> getTopicFilters() {
		return List.copyOf(this.buffers.keySet());
	}

	/**
	 * Return how many messages wait in the buffers.
	 * @return the buffered count
	 */
	public int getBufferedCount() {
		int count = 0;
		for (Buffer buffer : this.matchOrder) {
			count += buffer.queue.size();
		}
		return count;
	}

	/**
	 * Return how many messages {@code receive} handed out.
	 * @return the count since start
	 */
	public long getReceivedCount() {
		return this.received.sum();
	}

	/**
	 * Return how many messages were dropped because their buffer was full.
	 * @return the count since start
	 */
	public long getOverflowCount() {
		return this.overflow.sum();
	}

	private static final class Buffer {

		final String filter;

		final ArrayBlockingQueue<MqttReceivedMessage> queue;

		volatile CompletableFuture<@Nullable Void> subscribed = new CompletableFuture<>();

		Buffer(String filter, int capacity) {
			this.filter = filter;
			this.queue = new ArrayBlockingQueue<>(capacity);
		}

	}

}
