package io.mqttboot.core;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.support.MqttTopics;

import org.springframework.util.Assert;

/**
 * The MQTT 5 request/reply state of one client: its reply topic
 * ({@code <prefix><client id>}), the requests waiting for a reply keyed by their
 * correlation data, and the counters of replies that could not be delivered.
 * <p>
 * One reply subscription per client, made on the first request and renewed on every
 * connection after it (so it is kept across reconnects and clean sessions). Replies
 * arriving on the reply topic are acknowledged at once and never reach listeners; a reply
 * whose correlation data belongs to no waiting request is dropped, counted
 * ({@code late} when its request timed out, {@code unknown} otherwise) and logged at DEBUG,
 * with a WARN at most once a minute.
 *
 * @since 0.1.0
 */
public final class MqttReplyCorrelator {

	private static final Log logger = LogFactory.getLog(MqttReplyCorrelator.class);

	/**
	 * The default prefix of reply topics.
	 */
	public static final String DEFAULT_TOPIC_PREFIX = "mqtt-replies/";

	private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private static final int REMEMBERED_TIMEOUTS = 10_000;

	private final MqttClientManager manager;

	private volatile String topicPrefix = DEFAULT_TOPIC_PREFIX;

	private volatile @Nullable String replyTopic;

	private volatile @Nullable CompletableFuture<String> subscribed;

	private final Map<ByteBuffer, PendingRequest> pending = new ConcurrentHashMap<>();

	private final Map<ByteBuffer, Boolean> timedOut = new LinkedHashMap<>(64, 0.75f, false) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
			return size() > REMEMBERED_TIMEOUTS;
		}

	};

	private final LongAdder late = new LongAdder();

	private final LongAdder unknown = new LongAdder();

	private final LongAdder undeliverable = new LongAdder();

	private final LongAdder completed = new LongAdder();

	private final LongAdder timeouts = new LongAdder();

	private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

	MqttReplyCorrelator(MqttClientManager manager) {
		this.manager = manager;
	}

	/**
	 * Set the prefix of the reply topic; the client identifier is appended. Takes effect
	 * only before the first request.
	 * @param topicPrefix the prefix, for example {@code mqtt-replies/}
	 */
	public void setTopicPrefix(String topicPrefix) {
		Assert.notNull(topicPrefix, "Reply topic prefix must not be null");
		this.topicPrefix = topicPrefix;
	}

	/**
	 * Return the reply topic of this client.
	 * @return the topic name requests carry as their response topic
	 * @throws IllegalArgumentException if prefix and client identifier do not form a valid
	 * topic name
	 */
	public String getReplyTopic() {
		String topic = this.replyTopic;
		if (topic == null) {
			topic = this.topicPrefix + this.manager.getClientId();
			String candidate = topic;
			try {
				MqttTopics.validateTopicName(candidate);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("The reply topic '" + candidate + "' of MQTT client '"
						+ this.manager.getName() + "' (mqtt.request-reply.topic-prefix + client id) is not a valid"
						+ " topic name: " + ex.getMessage(), ex);
			}
			this.replyTopic = topic;
		}
		return topic;
	}

	/**
	 * Subscribe to the reply topic once.
	 * @return a future completed with the reply topic when the broker granted the
	 * subscription
	 */
	CompletableFuture<String> subscribe() {
		CompletableFuture<String> subscribed = this.subscribed;
		if (subscribed != null && !subscribed.isCompletedExceptionally()) {
			return subscribed;
		}
		synchronized (this) {
			subscribed = this.subscribed;
			if (subscribed == null || subscribed.isCompletedExceptionally()) {
				String topic = getReplyTopic();
				subscribed = this.manager.subscribeInternal(MqttSubscription.of(topic, 1), this::offer)
					.thenApply((code) -> topic);
				this.subscribed = subscribed;
			}
			return subscribed;
		}
	}

	/**
	 * Register a request before it is published.
	 * @param topic the request topic, for messages
	 * @param timeout how long to wait for the reply
	 * @return the pending request with its correlation data and future
	 */
	PendingRequest register(String topic, Duration timeout) {
		UUID id = UUID.randomUUID();
		byte[] correlationData = ByteBuffer.allocate(16)
			.putLong(id.getMostSignificantBits())
			.putLong(id.getLeastSignificantBits())
			.array();
		ByteBuffer key = ByteBuffer.wrap(correlationData);
		PendingRequest request = new PendingRequest(key, correlationData, new CompletableFuture<>());
		this.pending.put(key, request);
		CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
			if (this.pending.remove(key, request)) {
				synchronized (this.timedOut) {
					this.timedOut.put(key, Boolean.TRUE);
				}
				this.timeouts.increment();
				request.future.completeExceptionally(new MqttRequestTimeoutException(topic, timeout,
						"No reply to the request published to topic '" + topic + "' arrived on reply topic '"
								+ this.replyTopic + "' within " + timeout.toMillis() + " ms (MQTT client '"
								+ this.manager.getName() + "'); a reply arriving later is dropped and counted"
								+ " (meter mqtt.replies.dropped, reason=late)"));
			}
		});
		return request;
	}

	/**
	 * Give up a request whose publish failed.
	 * @param request the request
	 * @param ex why
	 */
	void fail(PendingRequest request, Throwable ex) {
		if (this.pending.remove(request.key, request)) {
			request.future.completeExceptionally(ex);
		}
	}

	private boolean offer(MqttReceivedMessage message) {
		if (!message.getTopic().equals(this.replyTopic)) {
			return false;
		}
		message.acknowledge();
		byte[] correlationData = message.getCorrelationData();
		ByteBuffer key = (correlationData != null) ? ByteBuffer.wrap(correlationData) : null;
		PendingRequest request = (key != null) ? this.pending.remove(key) : null;
		if (request != null) {
			this.completed.increment();
			request.future.complete(message);
			return true;
		}
		boolean wasLate;
		synchronized (this.timedOut) {
			wasLate = key != null && this.timedOut.remove(key) != null;
		}
		(wasLate ? this.late : this.unknown).increment();
		String what = "MQTT client '" + this.manager.getName() + "' dropped a reply on '" + message.getTopic() + "': "
				+ (wasLate ? "its request timed out before it arrived"
						: (key == null) ? "it has no correlation data" : "its correlation data matches no request");
		long now = System.nanoTime();
		long last = this.lastWarning.get();
		if (now - last >= WARN_INTERVAL_NANOS && this.lastWarning.compareAndSet(last, now)) {
			logger.warn(what + " (" + getLateReplyCount() + " late and " + getUnknownReplyCount()
					+ " unknown replies so far, meter mqtt.replies.dropped; this warning repeats at most once a minute)");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(what);
		}
		return true;
	}

	/**
	 * Count a reply a listener of this client could not send because the request had no
	 * response topic and the listener no {@code @SendTo}; the caller logs it.
	 */
	public void recordUndeliverableReply() {
		this.undeliverable.increment();
	}

	/**
	 * Return how many requests wait for their reply.
	 * @return the number of pending requests
	 */
	public int getPendingCount() {
		return this.pending.size();
	}

	/**
	 * Return how many requests got their reply.
	 * @return the count since start
	 */
	public long getCompletedCount() {
		return this.completed.sum();
	}

	/**
	 * Return how many requests timed out.
	 * @return the count since start
	 */
	public long getTimeoutCount() {
		return this.timeouts.sum();
	}

	/**
	 * Return how many replies arrived after their request timed out.
	 * @return the count since start
	 */
	public long getLateReplyCount() {
		return this.late.sum();
	}

	/**
	 * Return how many replies arrived without correlation data or with correlation data
	 * of no request of this client.
	 * @return the count since start
	 */
	public long getUnknownReplyCount() {
		return this.unknown.sum();
	}

	/**
	 * Return how many replies listeners of this client returned but could not send: the
	 * request had no response topic and the listener no {@code @SendTo}.
	 * @return the count since start
	 */
	public long getUndeliverableReplyCount() {
		return this.undeliverable.sum();
	}

	/**
	 * A request waiting for its reply.
	 *
	 * @param key the correlation data as map key
	 * @param correlationData the correlation data
	 * @param future completed with the reply
	 */
	record PendingRequest(ByteBuffer key, byte[] correlationData, CompletableFuture<MqttReceivedMessage> future) {
	}

}
