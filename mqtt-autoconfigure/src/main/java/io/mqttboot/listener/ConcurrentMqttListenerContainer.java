package io.mqttboot.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.event.MqttListenerEvent;
import io.mqttboot.event.MqttListenerIdleEvent;
import io.mqttboot.event.MqttListenerPausedEvent;
import io.mqttboot.event.MqttListenerResumedEvent;
import io.mqttboot.event.MqttListenerStartedEvent;
import io.mqttboot.event.MqttListenerStoppedEvent;
import io.mqttboot.support.converter.MqttMessageConversionException;
import io.mqttboot.support.micrometer.MqttObservations;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOff;

/**
 * A {@link MqttListenerContainer} with {@code concurrency} worker threads. Each message
 * goes to the worker chosen by the hash of its topic name: messages of one topic are
 * processed in order, different topics in parallel. Never runs listener code on the
 * network thread.
 * <p>
 * Queues are bounded for QoS 0: when a worker's queue holds {@code queueCapacity}
 * messages, further QoS 0 messages are dropped, counted and logged. QoS 1 and QoS 2
 * messages are never dropped: they are acknowledged only after processing, so the
 * broker's flow control (receive maximum, in-flight window) stops sending when a listener
 * falls behind, which bounds the queue to that window.
 * <p>
 * Workers run on their own platform threads, or on a {@link #setTaskExecutor task
 * executor} (virtual threads, for example). With {@link #setPerTopicLanes per-topic
 * lanes}, each topic name gets a serial queue of its own instead, and the
 * {@code concurrency} workers take turns on whichever topics have messages: a topic no
 * longer waits for the topics that share its worker while other workers are idle, which
 * matters when the listener blocks. Messages of one topic are processed in order either
 * way.
 * <p>
 * Acknowledgement: after the listener returns ({@link MqttAckMode#AUTO}), or when an
 * {@link AcknowledgingMqttMessageListener} calls {@link MqttAcknowledgment#acknowledge()}
 * ({@link MqttAckMode#MANUAL}). A worker takes its next message only when the previous
 * one finished: returned and, in manual mode, acknowledged (or handed to the error
 * handler). A {@link BatchMqttMessageListener} receives the messages of a worker in
 * batches of up to {@link #setBatchMaxSize(int) a maximum size}.
 * <p>
 * {@link #pause()} keeps the subscriptions and stops the workers from taking messages:
 * messages arriving meanwhile wait in the queues, QoS 1/2 ones unacknowledged, so the
 * broker stops sending once its in-flight window is full.
 *
 * @since 0.1.0
 */
public class ConcurrentMqttListenerContainer implements MqttListenerContainer {

	private static final Log logger = LogFactory.getLog(ConcurrentMqttListenerContainer.class);

	private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final long ERROR_HANDLER_RETRY_INITIAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final long ERROR_HANDLER_RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

	private final String listenerId;

	private final String clientName;

	private final List<MqttSubscription> subscriptions;

	private final MqttMessageListener listener;

	/**
	 * The worker run of the current thread, so that shutdown can tell abandoned workers
	 * apart on any kind of thread (virtual threads cannot be subclassed).
	 */
	private static final ThreadLocal<@Nullable Run> currentRun = new ThreadLocal<>();

	private int concurrency = 1;

	private boolean perTopicLanes;

	private @Nullable Executor taskExecutor;

	private @Nullable MqttMessageFilter messageFilter;

	/**
	 * The lanes of topics that have messages, with per-topic lanes.
	 */
	private final LinkedBlockingQueue<TopicLane> ready = new LinkedBlockingQueue<>();

	private final ConcurrentHashMap<String, TopicLane> lanes = new ConcurrentHashMap<>();

	private volatile Run @Nullable [] laneRuns;

	private int queueCapacity = 10_000;

	private RetryTemplate retryTemplate = retryTemplate(RetryPolicy.withMaxRetries(2));

	private MqttListenerErrorHandler errorHandler = new LoggingMqttListenerErrorHandler();

	private boolean autoStartup = true;

	private Duration shutdownTimeout = Duration.ofSeconds(10);

	private final Object lifecycleMonitor = new Object();

	private volatile Worker @Nullable [] workers;

	private volatile boolean running;

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicInteger maxQueued = new AtomicInteger();

	private final LongAdder processed = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder dropped = new LongAdder();

	private final LongAdder filtered = new LongAdder();

	private final AtomicInteger leftUnacknowledged = new AtomicInteger();

	private volatile boolean persistentSession;

	private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);

	private @Nullable Runnable activationCallback;

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private final boolean manualAck;

	private final @Nullable BatchMqttMessageListener batchListener;

	private int batchMaxSize = 100;

	/**
	 * The batch size the workers use, set at start: {@link #getEffectiveBatchMaxSize()}.
	 */
	private volatile int effectiveBatchMaxSize = 100;

	/**
	 * The receive maximum the client sends to the broker, zero if it sends none.
	 */
	private int receiveMaximum;

	private boolean warnedReceiveMaximum;

	private long batchMaxWaitNanos = TimeUnit.MILLISECONDS.toNanos(100);

	private volatile boolean paused;

	private @Nullable ApplicationEventPublisher eventPublisher;

	private long idleEventIntervalNanos;

	private volatile long lastReceivedNanos = System.nanoTime();

	private volatile long lastIdleEventNanos = System.nanoTime();

	/**
	 * Create a container. An {@link AcknowledgingMqttMessageListener} makes it acknowledge
	 * in {@link MqttAckMode#MANUAL} mode, a {@link BatchMqttMessageListener} makes it
	 * deliver batches.
	 * @param listenerId the listener id
	 * @param clientName the client to receive from
	 * @param subscriptions the subscriptions
	 * @param listener the listener to invoke
	 */
	public ConcurrentMqttListenerContainer(String listenerId, String clientName, List<MqttSubscription> subscriptions,
			MqttMessageListener listener) {
		Assert.notEmpty(subscriptions, () -> "Listener '" + listenerId + "' has no topics");
		this.listenerId = listenerId;
		this.clientName = clientName;
		this.subscriptions = List.copyOf(subscriptions);
		this.listener = listener;
		this.manualAck = listener instanceof AcknowledgingMqttMessageListener;
		this.batchListener = (listener instanceof BatchMqttMessageListener batch) ? batch : null;
		Assert.isTrue(!this.manualAck || this.batchListener == null,
				() -> "Listener '" + listenerId + "' cannot acknowledge manually in batch mode");
	}

	/**
	 * Set the number of worker threads.
	 * @param concurrency at least 1
	 */
	public void setConcurrency(int concurrency) {
		Assert.isTrue(concurrency >= 1,
				() -> "Concurrency of listener '" + this.listenerId + "' must be at least 1 but was " + concurrency);
		this.concurrency = concurrency;
	}

	/**
	 * Set whether each topic name gets a serial queue (lane) of its own, which the
	 * {@code concurrency} workers take turns on: a worker takes a topic that has messages
	 * and that no other worker holds, processes one message and puts the topic back. A
	 * topic then waits only when all workers are busy, not when another topic hashed to
	 * the same worker is slow (worth it when the listener blocks). Without it (this
	 * class's default; the listener container factory turns lanes on for more than one
	 * worker) each worker owns the topics hashed to it. With per-topic lanes, the QoS 0
	 * queue capacity bounds the container's queue at {@code queueCapacity * concurrency}.
	 * @param perTopicLanes whether to use per-topic lanes
	 */
	public void setPerTopicLanes(boolean perTopicLanes) {
		this.perTopicLanes = perTopicLanes;
	}

	/**
	 * Set the executor that runs the workers, one long-running task per unit of
	 * concurrency, for example a {@code VirtualThreadTaskExecutor}. It must be able to run
	 * them all at once (a bounded pool smaller than that starves topics). Defaults to a
	 * platform thread per worker named {@code mqtt-<listener id>-<n>}.
	 * @param taskExecutor the executor, or {@code null} for platform threads
	 */
	public void setTaskExecutor(@Nullable Executor taskExecutor) {
		this.taskExecutor = taskExecutor;
	}

	/**
	 * Set a filter that decides, before the listener, whether to process a message.
	 * Rejected messages are acknowledged without invoking the listener and counted, see
	 * {@link #getFiltered()}.
	 * @param messageFilter the filter, or {@code null} for none
	 */
	public void setMessageFilter(@Nullable MqttMessageFilter messageFilter) {
		this.messageFilter = messageFilter;
	}

	/**
	 * Set the per-worker queue capacity for QoS 0 messages.
	 * @param queueCapacity at least 1
	 */
	public void setQueueCapacity(int queueCapacity) {
		Assert.isTrue(queueCapacity >= 1, "Queue capacity must be at least 1");
		this.queueCapacity = queueCapacity;
	}

	/**
	 * Set the retry policy for failed invocations. Conversion and argument resolution
	 * failures are never retried.
	 * @param retryPolicy the policy
	 */
	public void setRetryPolicy(RetryPolicy retryPolicy) {
		this.retryTemplate = retryTemplate(retryPolicy);
	}

	/**
	 * Set the handler for messages that failed after all retries.
	 * @param errorHandler the handler
	 */
	public void setErrorHandler(MqttListenerErrorHandler errorHandler) {
		this.errorHandler = errorHandler;
	}

	/**
	 * Set whether the container starts with the application.
	 * @param autoStartup the flag
	 */
	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	/**
	 * Set how long {@link #stop()} lets workers finish queued messages.
	 * @param shutdownTimeout the timeout
	 */
	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	/**
	 * Set the registry for listener observations: each message is timed as
	 * {@value MqttObservations#LISTENER} and, when the publisher sent trace context as
	 * MQTT 5 user properties, processed in that trace.
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Set the largest batch handed to a {@link BatchMqttMessageListener}; the client's
	 * receive maximum may make it smaller, see {@link #getEffectiveBatchMaxSize()}.
	 * @param batchMaxSize at least 1, default 100
	 */
	public void setBatchMaxSize(int batchMaxSize) {
		Assert.isTrue(batchMaxSize >= 1, () -> "Batch maximum size of listener '" + this.listenerId
				+ "' must be at least 1 but was " + batchMaxSize);
		this.batchMaxSize = batchMaxSize;
		this.effectiveBatchMaxSize = getEffectiveBatchMaxSize();
	}

	/**
	 * Return the largest batch handed to a {@link BatchMqttMessageListener}: the
	 * {@link #setBatchMaxSize(int) configured maximum}, or less when the batches of all
	 * workers together would hold more than half of the receive maximum the client sends
	 * (per-topic lanes do not apply to batch listeners). A batch holds
	 * its QoS 1 and QoS 2 messages unacknowledged until the listener returns, and a broker
	 * that keeps to the receive maximum sends no more once that many are unacknowledged:
	 * a larger batch never fills and always waits for the batch maximum wait. With half the
	 * window per batch, the next batch fills while the previous one is processed. QoS 0
	 * messages do not count, so a listener that subscribes with QoS 0 only keeps its size.
	 * @return {@code max(1, receiveMaximum / (2 * concurrency))} when
	 * {@code batchMaxSize * concurrency} exceeds half the client's receive maximum, else
	 * the configured maximum
	 */
	public int getEffectiveBatchMaxSize() {
		int window = this.receiveMaximum;
		if (this.batchListener == null || window == 0 || 2L * this.batchMaxSize * this.concurrency <= window
				|| this.subscriptions.stream().noneMatch((subscription) -> subscription.qos() > 0)) {
			return this.batchMaxSize;
		}
		return Math.min(this.batchMaxSize, Math.max(1, window / (2 * this.concurrency)));
	}

	/**
	 * Set the receive maximum the client of this container sends to the broker, which
	 * bounds the batch size (see {@link #getEffectiveBatchMaxSize()}).
	 * @param receiveMaximum the receive maximum, zero if the client sends none (MQTT
	 * 3.1.1, or the protocol default of 65,535)
	 */
	void setReceiveMaximum(int receiveMaximum) {
		this.receiveMaximum = receiveMaximum;
	}

	/**
	 * Set how long a worker collects a batch after its first message before handing it to
	 * a {@link BatchMqttMessageListener}, unless it is full earlier.
	 * @param batchMaxWait zero or more, default 100 ms
	 */
	public void setBatchMaxWait(Duration batchMaxWait) {
		Assert.isTrue(!batchMaxWait.isNegative(), () -> "Batch maximum wait of listener '" + this.listenerId
				+ "' must not be negative but was " + batchMaxWait);
		this.batchMaxWaitNanos = batchMaxWait.toNanos();
	}

	/**
	 * Set the publisher of {@link MqttListenerEvent}s: started, stopped, paused, resumed
	 * and idle.
	 * @param eventPublisher the publisher
	 */
	public void setApplicationEventPublisher(ApplicationEventPublisher eventPublisher) {
		this.eventPublisher = eventPublisher;
	}

	/**
	 * Publish an {@link MqttListenerIdleEvent} when no message arrived for this long, and
	 * again after each further interval without messages.
	 * @param idleEventInterval the interval, or {@code null} for no idle events (the
	 * default)
	 */
	public void setIdleEventInterval(@Nullable Duration idleEventInterval) {
		Assert.isTrue(idleEventInterval == null || (!idleEventInterval.isNegative() && !idleEventInterval.isZero()),
				() -> "Idle event interval of listener '" + this.listenerId + "' must be positive but was "
						+ idleEventInterval);
		this.idleEventIntervalNanos = (idleEventInterval != null) ? idleEventInterval.toNanos() : 0;
	}

	/**
	 * Return when messages are acknowledged.
	 * @return {@link MqttAckMode#MANUAL} for an {@link AcknowledgingMqttMessageListener},
	 * else {@link MqttAckMode#AUTO}
	 */
	public MqttAckMode getAckMode() {
		return this.manualAck ? MqttAckMode.MANUAL : MqttAckMode.AUTO;
	}

	/**
	 * Return whether the listener receives batches.
	 * @return whether the listener is a {@link BatchMqttMessageListener}
	 */
	public boolean isBatch() {
		return this.batchListener != null;
	}

	void setActivationCallback(Runnable activationCallback) {
		this.activationCallback = activationCallback;
	}

	/**
	 * Set whether the client of this container keeps its session when the connection
	 * closes: decides what the shutdown log says about unacknowledged messages.
	 * @param persistentSession whether the session is persistent
	 */
	void setPersistentSession(boolean persistentSession) {
		this.persistentSession = persistentSession;
	}

	@Override
	public String getListenerId() {
		return this.listenerId;
	}

	@Override
	public String getClientName() {
		return this.clientName;
	}

	@Override
	public List<MqttSubscription> getSubscriptions() {
		return this.subscriptions;
	}

	@Override
	public boolean isAutoStartup() {
		return this.autoStartup;
	}

	/**
	 * Return the listener this container invokes.
	 * @return the listener
	 */
	public MqttMessageListener getListener() {
		return this.listener;
	}

	@Override
	public int getQueued() {
		return this.queued.get();
	}

	@Override
	public int getMaxQueued() {
		return this.maxQueued.get();
	}

	@Override
	public long getProcessed() {
		return this.processed.sum();
	}

	@Override
	public long getFailed() {
		return this.failed.sum();
	}

	@Override
	public long getDropped() {
		return this.dropped.sum();
	}

	@Override
	public long getFiltered() {
		return this.filtered.sum();
	}

	/**
	 * Queue a delivery; called by the dispatcher on the network thread, never blocks.
	 * @param delivery the delivery
	 */
	void enqueue(MqttDelivery delivery) {
		if (usesLanes()) {
			enqueueToLane(delivery);
			return;
		}
		Worker[] workers = this.workers;
		if (workers == null) {
			workers = initWorkers();
		}
		MqttReceivedMessage message = delivery.message;
		if (this.idleEventIntervalNanos > 0) {
			this.lastReceivedNanos = System.nanoTime();
		}
		Worker worker = workers[Math.floorMod(spread(message.getTopic().hashCode()), workers.length)];
		if (message.getQos() == 0 && worker.size.get() >= this.queueCapacity) {
			this.dropped.increment();
			delivery.release();
			logDrop(message);
			return;
		}
		int depth = this.queued.incrementAndGet();
		if (depth > this.maxQueued.get()) {
			this.maxQueued.accumulateAndGet(depth, Math::max);
		}
		worker.offer(delivery);
	}

	/**
	 * Return whether this container processes through per-topic lanes: they were asked
	 * for and it is not a batch listener.
	 * @return whether per-topic lanes are in use
	 * @see #setPerTopicLanes(boolean)
	 */
	public boolean isPerTopicLanes() {
		return usesLanes();
	}

	/**
	 * Return whether per-topic lanes are in use: asked for, and not a batch listener (a
	 * batch is collected from one worker's queue).
	 */
	private boolean usesLanes() {
		return this.perTopicLanes && this.batchListener == null;
	}

	private void enqueueToLane(MqttDelivery delivery) {
		MqttReceivedMessage message = delivery.message;
		if (this.idleEventIntervalNanos > 0) {
			this.lastReceivedNanos = System.nanoTime();
		}
		if (message.getQos() == 0 && this.queued.get() >= (long) this.queueCapacity * this.concurrency) {
			this.dropped.increment();
			delivery.release();
			logDrop(message);
			return;
		}
		int depth = this.queued.incrementAndGet();
		if (depth > this.maxQueued.get()) {
			this.maxQueued.accumulateAndGet(depth, Math::max);
		}
		String topic = message.getTopic();
		while (!this.lanes.computeIfAbsent(topic, TopicLane::new).offer(delivery)) {
			// Retired by a worker between the lookup and the offer: take a fresh lane.
		}
	}

	private static int spread(int hash) {
		return hash ^ (hash >>> 16);
	}

	private Worker[] initWorkers() {
		synchronized (this.lifecycleMonitor) {
			Worker[] workers = this.workers;
			if (workers == null) {
				workers = new Worker[usesLanes() ? 0 : this.concurrency];
				for (int i = 0; i < workers.length; i++) {
					workers[i] = new Worker(i);
				}
				this.workers = workers;
			}
			return workers;
		}
	}

	private void logDrop(MqttReceivedMessage message) {
		long now = System.nanoTime();
		long last = this.lastDropLog.get();
		if (now - last >= DROP_LOG_INTERVAL_NANOS && this.lastDropLog.compareAndSet(last, now)) {
			logger.warn("Listener '" + this.listenerId + "' is falling behind: dropped QoS 0 message from topic '"
					+ message.getTopic() + "' because its queue holds " + this.queueCapacity + " messages ("
					+ this.dropped.sum() + " QoS 0 messages dropped so far; use QoS 1 for backpressure instead)");
		}
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			Worker[] workers = initWorkers();
			applyReceiveMaximum();
			this.lastReceivedNanos = System.nanoTime();
			this.lastIdleEventNanos = this.lastReceivedNanos;
			this.running = true;
			for (Worker worker : workers) {
				worker.start();
			}
			if (usesLanes()) {
				startLaneWorkers();
			}
		}
		if (this.activationCallback != null) {
			this.activationCallback.run();
		}
		publishEvent(new MqttListenerStartedEvent(this, this.listenerId, this.clientName));
	}

	private void applyReceiveMaximum() {
		int effective = getEffectiveBatchMaxSize();
		this.effectiveBatchMaxSize = effective;
		if (effective < this.batchMaxSize && !this.warnedReceiveMaximum) {
			this.warnedReceiveMaximum = true;
			logger.warn("Batch listener '" + this.listenerId + "' on MQTT client '" + this.clientName
					+ "' uses batches of at most " + effective + " instead of batchMaxSize " + this.batchMaxSize
					+ ": with concurrency " + this.concurrency + " they would hold more than half of the receive maximum "
					+ this.receiveMaximum + " unacknowledged, so a broker that keeps to it could never fill a batch"
					+ " and every batch would wait for batchMaxWait. Set batchMaxSize to at most " + effective + ", or "
					+ (MqttClientRegistry.DEFAULT_CLIENT.equals(this.clientName) ? "mqtt."
							: "mqtt.clients." + this.clientName + ".")
					+ "receive-maximum to at least "
					+ Math.min(2L * this.batchMaxSize * this.concurrency, MqttClientSettings.DEFAULT_RECEIVE_MAXIMUM)
					+ ", to avoid this warning");
		}
	}

	/**
	 * Stop taking messages, keeping the subscriptions: messages arriving meanwhile wait in
	 * the queues (QoS 0 ones up to the queue capacity, then they are dropped and counted),
	 * QoS 1/2 ones unacknowledged, so the broker holds back further messages once its
	 * in-flight window is full. The message in progress finishes. Stopping a paused
	 * container leaves its queued messages unacknowledged.
	 */
	@Override
	public void pause() {
		synchronized (this.lifecycleMonitor) {
			if (this.paused) {
				return;
			}
			this.paused = true;
		}
		logger.info("Listener '" + this.listenerId + "' paused: it keeps its subscriptions and takes no messages"
				+ " until resumed");
		publishEvent(new MqttListenerPausedEvent(this, this.listenerId, this.clientName));
	}

	/**
	 * Take messages again after {@link #pause()}, starting with those that arrived
	 * meanwhile.
	 */
	@Override
	public void resume() {
		Worker[] workers;
		synchronized (this.lifecycleMonitor) {
			if (!this.paused) {
				return;
			}
			this.paused = false;
			workers = this.workers;
		}
		if (workers != null) {
			for (Worker worker : workers) {
				worker.wake();
			}
		}
		logger.info("Listener '" + this.listenerId + "' resumed");
		publishEvent(new MqttListenerResumedEvent(this, this.listenerId, this.clientName));
	}

	@Override
	public boolean isPaused() {
		return this.paused;
	}

	private void publishEvent(MqttListenerEvent event) {
		ApplicationEventPublisher publisher = this.eventPublisher;
		if (publisher == null) {
			return;
		}
		try {
			publisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("An application listener failed on " + event, ex);
		}
	}

	/**
	 * Publish an idle event when the interval passed without messages; called by the
	 * first worker while it waits.
	 */
	private void publishIdleEventIfDue() {
		long interval = this.idleEventIntervalNanos;
		if (interval <= 0) {
			return;
		}
		long now = System.nanoTime();
		long idle = now - this.lastReceivedNanos;
		if (idle >= interval && now - this.lastIdleEventNanos >= interval) {
			this.lastIdleEventNanos = now;
			publishEvent(new MqttListenerIdleEvent(this, this.listenerId, this.clientName, Duration.ofNanos(idle),
					this.paused));
		}
	}

	@Override
	public void stop() {
		Worker[] workers;
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			workers = this.workers;
		}
		if (this.activationCallback != null) {
			this.activationCallback.run();
		}
		if (workers == null) {
			return;
		}
		long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		for (Worker worker : workers) {
			worker.awaitStop(deadline);
		}
		Run[] laneRuns = this.laneRuns;
		if (laneRuns != null) {
			for (Run run : laneRuns) {
				run.awaitStop(deadline);
			}
			this.laneRuns = null;
		}
		int notProcessed = this.queued.get();
		int left = notProcessed + this.leftUnacknowledged.getAndSet(0);
		if (left > 0) {
			logger.info("Listener '" + this.listenerId + "' stopped with " + left + " message" + ((left != 1) ? "s" : "")
					+ " not acknowledged (" + notProcessed + " still queued, " + (left - notProcessed)
					+ (this.manualAck ? " interrupted, not acknowledged by the listener," : " interrupted")
					+ " or with a failing error handler); " + fateOfUnacknowledged(left));
		}
		publishEvent(new MqttListenerStoppedEvent(this, this.listenerId, this.clientName));
	}

	/**
	 * Start the {@code concurrency} workers of per-topic lanes. Lanes that kept messages
	 * from an earlier run (a stop that timed out) are scheduled again.
	 */
	private void startLaneWorkers() {
		this.ready.clear();
		this.lanes.values().forEach(TopicLane::reschedule);
		Run[] runs = new Run[this.concurrency];
		for (int i = 0; i < runs.length; i++) {
			int index = i;
			runs[i] = new Run("mqtt-" + this.listenerId + "-" + i, (run) -> laneLoop(run, index));
		}
		this.laneRuns = runs;
		for (Run run : runs) {
			run.launch(this.taskExecutor);
		}
	}

	/**
	 * The loop of a per-topic-lane worker: take a topic with messages, process its next
	 * message, put the topic back if it has more. One message per turn keeps topics fair.
	 */
	private void laneLoop(Run run, int index) {
		// A paused container that stops leaves its queues unacknowledged.
		while (!run.abandoned && (this.running || (!this.paused && !this.ready.isEmpty()))) {
			if (this.paused && this.running) {
				if (index == 0) {
					publishIdleEventIfDue();
				}
				LockSupport.parkNanos(this, Worker.IDLE_PARK_NANOS);
				if (Thread.currentThread().isInterrupted()) {
					return;
				}
				continue;
			}
			TopicLane lane;
			try {
				lane = this.ready.poll(Worker.IDLE_PARK_NANOS, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (lane == null) {
				if (index == 0) {
					publishIdleEventIfDue();
				}
				continue;
			}
			if (this.paused && this.running) {
				// Paused while waiting for a lane: hand it back untouched (it is still
				// scheduled, so this is its only entry).
				this.ready.offer(lane);
				continue;
			}
			// Only this worker holds the lane: it left the ready queue, and stays scheduled
			// (so not queued again) until done() below.
			MqttDelivery delivery = lane.queue.poll();
			if (delivery != null) {
				this.queued.decrementAndGet();
				process(delivery);
			}
			if (run.abandoned) {
				// Its message was left unacknowledged; the next start schedules the lane again.
				return;
			}
			lane.done();
			if (Thread.currentThread().isInterrupted()) {
				return;
			}
		}
	}

	/**
	 * Say what happens to messages left unacknowledged, for the session in use.
	 * @param count how many
	 * @return the sentence
	 */
	private String fateOfUnacknowledged(int count) {
		if (this.persistentSession) {
			return "MQTT client '" + this.clientName + "' uses a persistent session, so the broker redelivers the QoS 1/2"
					+ " ones on its next connection with that session (QoS 0 ones are lost)";
		}
		return "MQTT client '" + this.clientName + "' uses a clean session, so the broker discards them when the"
				+ " connection closes: these " + count + " messages are lost (set mqtt.clean-start=false and"
				+ " mqtt.session-expiry to have them redelivered)";
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void process(MqttDelivery delivery) {
		MqttReceivedMessage message = delivery.message;
		if (isFilteredOut(message)) {
			this.filtered.increment();
			delivery.release();
			return;
		}
		ContainerAcknowledgment acknowledgment = this.manualAck ? new ContainerAcknowledgment(delivery) : null;
		int attempts = 1;
		Throwable failure = null;
		// Creating a no-op observation per message still costs a scope and allocations.
		Observation observation = this.observationRegistry.isNoop() ? Observation.NOOP : Observation
			.createNotStarted(MqttObservations.LISTENER,
					() -> new MqttListenerObservationContext(message, this.listenerId), this.observationRegistry)
			.contextualName(this.listenerId + " receive")
			.lowCardinalityKeyValue(MqttObservations.SYSTEM, "mqtt")
			.lowCardinalityKeyValue(MqttObservations.CLIENT, this.clientName)
			.lowCardinalityKeyValue(MqttObservations.LISTENER_ID, this.listenerId)
			.highCardinalityKeyValue(MqttObservations.TOPIC, message.getTopic())
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			// The first attempt without a lambda and an attempt counter: only a failed
			// message pays for them (benchmark B11).
			Throwable firstFailure = null;
			try {
				invokeListener(message, acknowledgment);
			}
			catch (Throwable ex) {
				firstFailure = ex;
			}
			if (firstFailure != null) {
				AtomicInteger counter = new AtomicInteger(1);
				try {
					retry(() -> invokeListener(message, acknowledgment), firstFailure, counter);
				}
				finally {
					attempts = counter.get();
				}
			}
			if (acknowledgment == null) {
				this.processed.increment();
			}
		}
		catch (RetryException ex) {
			failure = (ex.getCause() != null) ? ex.getCause() : ex;
			observation.error(failure);
		}
		finally {
			observation.lowCardinalityKeyValue(MqttObservations.OUTCOME, (failure != null) ? "failure" : "success");
			observation.stop();
		}
		if (failure == null && acknowledgment != null) {
			if (!awaitAcknowledgment(acknowledgment)) {
				// Given up by shutdown: leave it unacknowledged for redelivery.
				this.leftUnacknowledged.incrementAndGet();
				return;
			}
			this.processed.increment();
			return;
		}
		if (failure != null) {
			if (abandonedByStop()) {
				// Interrupted by shutdown: leave it unacknowledged for redelivery.
				if (acknowledgment == null || acknowledgment.abandon()) {
					this.leftUnacknowledged.incrementAndGet();
				}
				return;
			}
			this.failed.increment();
			MqttListenerExecutionFailedException exception = (failure instanceof MqttListenerExecutionFailedException listenerFailure)
					? listenerFailure : new MqttListenerExecutionFailedException(this.listenerId, message.getTopic(), failure);
			if (!handleError(message, exception, attempts)) {
				if (acknowledgment == null || acknowledgment.abandon()) {
					this.leftUnacknowledged.incrementAndGet();
				}
				return;
			}
		}
		if (acknowledgment != null) {
			acknowledgment.acknowledge();
		}
		else {
			delivery.release();
		}
	}

	/**
	 * Wait until a manual listener acknowledged its message, so that the next message of
	 * the worker (and of the topic) is not processed before. Gives up only when
	 * {@link #stop()} gave up on the worker: the message then stays unacknowledged, and an
	 * acknowledgement arriving later does nothing.
	 * @param acknowledgment the acknowledgment handed to the listener
	 * @return {@code true} if acknowledged, {@code false} if given up
	 */
	private boolean awaitAcknowledgment(ContainerAcknowledgment acknowledgment) {
		while (!acknowledgment.isAcknowledged()) {
			if (abandonedByStop() || Thread.currentThread().isInterrupted()) {
				return !acknowledgment.abandon();
			}
			LockSupport.parkNanos(acknowledgment, Worker.IDLE_PARK_NANOS);
		}
		return true;
	}

	/**
	 * Process a batch: acknowledge every message in order when the listener returns; when
	 * it fails after the retries, hand each message to the error handler and acknowledge
	 * it when the handler returns.
	 * @param deliveries the batch
	 */
	private void processBatch(List<MqttDelivery> deliveries) {
		BatchMqttMessageListener listener = this.batchListener;
		Assert.state(listener != null, "Not a batch listener");
		List<MqttReceivedMessage> messages = new ArrayList<>(deliveries.size());
		for (MqttDelivery delivery : deliveries) {
			messages.add(delivery.message);
		}
		List<MqttReceivedMessage> view = Collections.unmodifiableList(messages);
		AtomicInteger attempts = new AtomicInteger();
		Throwable failure = null;
		try {
			invokeWithRetry(() -> listener.onMessages(view), attempts);
		}
		catch (RetryException ex) {
			failure = (ex.getCause() != null) ? ex.getCause() : ex;
		}
		if (failure == null) {
			this.processed.add(deliveries.size());
			deliveries.forEach(MqttDelivery::release);
			return;
		}
		if (abandonedByStop()) {
			this.leftUnacknowledged.addAndGet(deliveries.size());
			return;
		}
		this.failed.add(deliveries.size());
		for (int i = 0; i < deliveries.size(); i++) {
			MqttReceivedMessage message = messages.get(i);
			MqttListenerExecutionFailedException exception = new MqttListenerExecutionFailedException(this.listenerId,
					message.getTopic(), failure);
			if (!handleError(message, exception, attempts.get())) {
				this.leftUnacknowledged.addAndGet(deliveries.size() - i);
				return;
			}
			deliveries.get(i).release();
		}
	}

	/**
	 * Hand a failed message to the error handler until the handler succeeds. A QoS 1/2
	 * message whose error handler fails (a dead-letter topic the broker refuses, a broker
	 * that is down) is never acknowledged: the handler is retried with back-off (1 s,
	 * doubling, at most 30 s) on this worker, so later messages of the same topic wait and
	 * keep their order. When the container stops meanwhile, the message stays
	 * unacknowledged.
	 * @param message the failed message
	 * @param exception the failure
	 * @param attempts how often the listener was invoked
	 * @return {@code true} to acknowledge the message, {@code false} to leave it
	 * unacknowledged
	 */
	private boolean handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
			int attempts) {
		long delay = ERROR_HANDLER_RETRY_INITIAL_NANOS;
		for (int handlerAttempts = 1;; handlerAttempts++) {
			try {
				this.errorHandler.handleError(message, exception, attempts);
				if (handlerAttempts > 1) {
					logger.info("Error handler of listener '" + this.listenerId + "' succeeded for the message from topic '"
							+ message.getTopic() + "' on attempt " + handlerAttempts + "; the message is acknowledged");
				}
				return true;
			}
			catch (Throwable ex) {
				String what = "Error handler of listener '" + this.listenerId + "' failed for a QoS " + message.getQos()
						+ " message from topic '" + message.getTopic() + "' (attempt " + handlerAttempts + ")";
				if (message.getQos() == 0) {
					logger.error(what + "; the QoS 0 message is skipped (it cannot be redelivered)", ex);
					return true;
				}
				if (!this.running || abandonedByStop()) {
					logger.error(what + " while the listener stops; the message is not acknowledged", ex);
					return false;
				}
				String text = what + "; the message is not acknowledged and the error handler is retried in "
						+ TimeUnit.NANOSECONDS.toMillis(delay) + " ms. Meanwhile later messages of this topic wait, and"
						+ " the client acknowledges nothing received after it (acknowledgements go in order), so the"
						+ " broker stops sending once its in-flight window is full";
				// The first failure with its stack trace, the repetitions without.
				if (handlerAttempts == 1) {
					logger.error(text, ex);
				}
				else {
					logger.error(text + ": " + ex);
				}
			}
			long until = System.nanoTime() + delay;
			long wait;
			while (this.running && !abandonedByStop() && (wait = until - System.nanoTime()) > 0) {
				// stop() unparks the worker, so a stopping container does not wait out the delay.
				LockSupport.parkNanos(this, wait);
			}
			delay = Math.min(delay * 2, ERROR_HANDLER_RETRY_MAX_NANOS);
		}
	}

	/**
	 * Ask the filter whether to skip a message. A filter that throws skips nothing: the
	 * message goes to the listener, so that a broken filter never loses messages.
	 * @param message the message
	 * @return whether to acknowledge the message without processing it
	 */
	private boolean isFilteredOut(MqttReceivedMessage message) {
		MqttMessageFilter filter = this.messageFilter;
		if (filter == null) {
			return false;
		}
		try {
			return !filter.accept(message);
		}
		catch (RuntimeException ex) {
			logger.error("Message filter of listener '" + this.listenerId + "' failed for a message from topic '"
					+ message.getTopic() + "'; the message is passed to the listener", ex);
			return false;
		}
	}

	private void invokeListener(MqttReceivedMessage message, @Nullable ContainerAcknowledgment acknowledgment)
			throws Exception {
		if (acknowledgment != null) {
			((AcknowledgingMqttMessageListener) this.listener).onMessage(message, acknowledgment);
		}
		else {
			this.listener.onMessage(message);
		}
	}

	private void invokeWithRetry(Invocation invocation, AtomicInteger attempts) throws RetryException {
		attempts.incrementAndGet();
		Throwable firstFailure;
		try {
			invocation.invoke();
			return;
		}
		catch (Throwable ex) {
			firstFailure = ex;
		}
		retry(invocation, firstFailure, attempts);
	}

	/**
	 * Retry an invocation that failed once, as the retry policy allows.
	 * @param invocation the invocation
	 * @param firstFailure how its first attempt failed
	 * @param attempts the number of attempts so far, counted up by each retry
	 * @throws RetryException when the retries are exhausted or not allowed
	 */
	private void retry(Invocation invocation, Throwable firstFailure, AtomicInteger attempts) throws RetryException {
		// Only a failed message pays for the retry machinery: the template's first attempt
		// reports the failure that already happened, its retries invoke the listener again.
		boolean[] first = { true };
		this.retryTemplate.execute(() -> {
			if (first[0]) {
				first[0] = false;
				throw firstFailure;
			}
			attempts.incrementAndGet();
			invocation.invoke();
			return null;
		});
	}

	private static RetryTemplate retryTemplate(RetryPolicy policy) {
		return new RetryTemplate(new RetryPolicy() {

			@Override
			public boolean shouldRetry(Throwable throwable) {
				return !abandonedByStop() && isRetryable(throwable) && policy.shouldRetry(throwable);
			}

			@Override
			public BackOff getBackOff() {
				return policy.getBackOff();
			}

		});
	}

	/**
	 * Return whether the current thread is a worker that {@link #stop()} gave up waiting
	 * for. Its interrupt may have been swallowed by the listener (an
	 * {@code InterruptedException} clears the flag), so the flag on the thread is not
	 * enough: such a worker must neither retry, nor hand the failure to the error handler
	 * (which acknowledges), nor take further messages.
	 * @return whether the current worker was abandoned
	 */
	private static boolean abandonedByStop() {
		Run run = currentRun.get();
		return run != null && run.abandoned;
	}

	/**
	 * Return whether retrying can help: payload conversion and argument resolution failures
	 * fail the same way every time.
	 * @param ex the failure
	 * @return whether to retry
	 */
	static boolean isRetryable(Throwable ex) {
		Throwable cause = ex;
		while (cause != null) {
			if (cause instanceof MqttMessageConversionException || cause instanceof MessageConversionException
					|| cause instanceof MethodArgumentResolutionException) {
				return false;
			}
			cause = cause.getCause();
		}
		return true;
	}

	@Override
	public String toString() {
		return "ConcurrentMqttListenerContainer[id=" + this.listenerId + ", client=" + this.clientName
				+ ", subscriptions=" + this.subscriptions + ", concurrency=" + this.concurrency
				+ (this.perTopicLanes ? ", perTopicLanes" : "")
				+ ((this.batchListener != null) ? ", batchMaxSize=" + getEffectiveBatchMaxSize() : "") + "]";
	}

	@FunctionalInterface
	private interface Invocation {

		void invoke() throws Exception;

	}

	/**
	 * The acknowledgment of one message for a manual listener: releases the delivery once,
	 * and wakes the worker waiting for it.
	 */
	private final class ContainerAcknowledgment implements MqttAcknowledgment {

		private static final int PENDING = 0;

		private static final int ACKNOWLEDGED = 1;

		private static final int ABANDONED = 2;

		private final MqttDelivery delivery;

		private final Thread worker = Thread.currentThread();

		private final AtomicInteger state = new AtomicInteger(PENDING);

		ContainerAcknowledgment(MqttDelivery delivery) {
			this.delivery = delivery;
		}

		@Override
		public void acknowledge() {
			if (this.state.compareAndSet(PENDING, ACKNOWLEDGED)) {
				this.delivery.release();
				LockSupport.unpark(this.worker);
			}
			else if (this.state.get() == ABANDONED) {
				logger.info("Listener '" + ConcurrentMqttListenerContainer.this.listenerId
						+ "' acknowledged a message from topic '" + this.delivery.message.getTopic()
						+ "' after the container gave up on it at shutdown; it stays unacknowledged");
			}
		}

		@Override
		public boolean isAcknowledged() {
			return this.state.get() == ACKNOWLEDGED;
		}

		/**
		 * Give up on the message unless it was acknowledged.
		 * @return {@code true} if it stays unacknowledged
		 */
		boolean abandon() {
			return this.state.compareAndSet(PENDING, ABANDONED);
		}

		@Override
		public String toString() {
			return "MqttAcknowledgment[listener=" + ConcurrentMqttListenerContainer.this.listenerId + ", topic="
					+ this.delivery.message.getTopic() + ", acknowledged=" + isAcknowledged() + "]";
		}

	}

	/**
	 * One worker and its queue, run on a thread of its own. The network thread only wakes
	 * the worker when it is parked on an empty queue, so a busy worker costs the producer
	 * one lock-free offer per message (waking a thread for every message was the largest
	 * cost on the network thread in the B1 benchmark profile).
	 */
	private final class Worker {

		static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

		private final ConcurrentLinkedQueue<MqttDelivery> queue = new ConcurrentLinkedQueue<>();

		final AtomicInteger size = new AtomicInteger();

		private final int index;

		private volatile @Nullable Run run;

		Worker(int index) {
			this.index = index;
		}

		void offer(MqttDelivery delivery) {
			this.queue.offer(delivery);
			this.size.incrementAndGet();
			Run run = this.run;
			if (run != null && run.parked) {
				Thread thread = run.thread;
				if (thread != null) {
					LockSupport.unpark(thread);
				}
			}
		}

		void start() {
			Run run = new Run("mqtt-" + ConcurrentMqttListenerContainer.this.listenerId + "-" + this.index, this::loop);
			this.run = run;
			run.launch(ConcurrentMqttListenerContainer.this.taskExecutor);
		}

		void loop(Run run) {
			ConcurrentMqttListenerContainer container = ConcurrentMqttListenerContainer.this;
			// A paused container that stops leaves its queue unacknowledged.
			while (!abandonedByStop() && (container.running || (!container.paused && !this.queue.isEmpty()))) {
				if (container.paused && container.running) {
					if (this.index == 0) {
						container.publishIdleEventIfDue();
					}
					LockSupport.parkNanos(this, IDLE_PARK_NANOS);
					if (Thread.currentThread().isInterrupted()) {
						return;
					}
					continue;
				}
				MqttDelivery delivery = this.queue.poll();
				if (delivery == null) {
					if (!container.running) {
						return;
					}
					if (this.index == 0) {
						container.publishIdleEventIfDue();
					}
					// Announce the park before the last look at the queue: an offer either
					// sees the flag and unparks, or happened before the look and is found.
					run.parked = true;
					if (this.queue.isEmpty()) {
						LockSupport.parkNanos(this, IDLE_PARK_NANOS);
					}
					run.parked = false;
					if (Thread.currentThread().isInterrupted()) {
						return;
					}
					continue;
				}
				this.size.decrementAndGet();
				container.queued.decrementAndGet();
				if (container.batchListener != null) {
					container.processBatch(collectBatch(delivery));
				}
				else {
					container.process(delivery);
				}
				if (abandonedByStop() || Thread.currentThread().isInterrupted()) {
					return;
				}
			}
		}

		/**
		 * Collect a batch: the first message and what follows it on this worker, until the
		 * batch is full or the maximum wait since the first message passed.
		 * @param first the first message
		 * @return the batch
		 */
		private List<MqttDelivery> collectBatch(MqttDelivery first) {
			ConcurrentMqttListenerContainer container = ConcurrentMqttListenerContainer.this;
			int maxSize = container.effectiveBatchMaxSize;
			List<MqttDelivery> batch = new ArrayList<>(Math.min(maxSize, 1024));
			batch.add(first);
			long deadline = System.nanoTime() + container.batchMaxWaitNanos;
			while (batch.size() < maxSize) {
				MqttDelivery next = this.queue.poll();
				if (next != null) {
					this.size.decrementAndGet();
					container.queued.decrementAndGet();
					batch.add(next);
					continue;
				}
				long wait = deadline - System.nanoTime();
				if (wait <= 0 || !container.running || container.paused || Thread.currentThread().isInterrupted()) {
					break;
				}
				Run run = this.run;
				if (run != null) {
					run.parked = true;
				}
				if (this.queue.isEmpty()) {
					LockSupport.parkNanos(this, wait);
				}
				if (run != null) {
					run.parked = false;
				}
			}
			return batch;
		}

		void wake() {
			Run run = this.run;
			Thread thread = (run != null) ? run.thread : null;
			if (thread != null) {
				LockSupport.unpark(thread);
			}
		}

		void awaitStop(long deadline) {
			Run run = this.run;
			if (run == null) {
				return;
			}
			run.awaitStop(deadline);
			this.run = null;
		}

	}

	/**
	 * The serial queue of one topic name, with per-topic lanes. A lane with messages is on
	 * the ready queue or held by one worker ({@code scheduled}); an empty lane is removed
	 * from the map ({@code retired}), so that a stream of ever new topic names (device ids)
	 * does not grow it. The lock orders an offer against the retirement: the network thread
	 * takes it once per message, uncontended unless a worker finishes that topic at the
	 * same moment.
	 */
	private final class TopicLane {

		private final String topic;

		final ConcurrentLinkedQueue<MqttDelivery> queue = new ConcurrentLinkedQueue<>();

		private boolean scheduled;

		private boolean retired;

		TopicLane(String topic) {
			this.topic = topic;
		}

		/**
		 * Queue a delivery, scheduling the lane if it is idle.
		 * @return {@code false} if the lane was retired: offer to a new one
		 */
		synchronized boolean offer(MqttDelivery delivery) {
			if (this.retired) {
				return false;
			}
			this.queue.offer(delivery);
			if (!this.scheduled) {
				this.scheduled = true;
				ConcurrentMqttListenerContainer.this.ready.offer(this);
			}
			return true;
		}

		/**
		 * Called by the worker that held the lane: put it back if it has more messages,
		 * else retire it.
		 */
		synchronized void done() {
			if (!this.queue.isEmpty()) {
				ConcurrentMqttListenerContainer.this.ready.offer(this);
				return;
			}
			this.scheduled = false;
			this.retired = true;
			ConcurrentMqttListenerContainer.this.lanes.remove(this.topic, this);
		}

		/**
		 * Schedule the lane again at start, whatever an abandoned worker left it in.
		 */
		synchronized void reschedule() {
			if (this.retired) {
				return;
			}
			if (this.queue.isEmpty()) {
				this.scheduled = false;
				this.retired = true;
				ConcurrentMqttListenerContainer.this.lanes.remove(this.topic, this);
				return;
			}
			this.scheduled = true;
			ConcurrentMqttListenerContainer.this.ready.offer(this);
		}

	}

	/**
	 * One run of a worker, from a start to a stop. A run that {@link #stop()} gave up
	 * waiting for stays abandoned even when the container starts again meanwhile.
	 */
	private static final class Run implements Runnable {

		private final String name;

		private final Consumer<Run> loop;

		private final CountDownLatch finished = new CountDownLatch(1);

		volatile @Nullable Thread thread;

		volatile boolean parked;

		volatile boolean abandoned;

		Run(String name, Consumer<Run> loop) {
			this.name = name;
			this.loop = loop;
		}

		void launch(@Nullable Executor executor) {
			if (executor != null) {
				executor.execute(this);
				return;
			}
			Thread thread = new Thread(this, this.name);
			thread.setDaemon(false);
			thread.start();
		}

		@Override
		public void run() {
			Thread current = Thread.currentThread();
			this.thread = current;
			String previousName = current.getName();
			String name = this.name;
			current.setName(name);
			currentRun.set(this);
			try {
				this.loop.accept(this);
			}
			finally {
				currentRun.remove();
				if (!previousName.equals(name)) {
					// A thread of the application's executor goes back under its own name.
					current.setName(previousName);
				}
				this.thread = null;
				this.finished.countDown();
			}
		}

		void awaitStop(long deadline) {
			Thread thread = this.thread;
			if (thread != null) {
				LockSupport.unpark(thread);
			}
			try {
				if (!this.finished.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
					this.abandoned = true;
					thread = this.thread;
					if (thread != null) {
						thread.interrupt();
					}
					this.finished.await(1, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
