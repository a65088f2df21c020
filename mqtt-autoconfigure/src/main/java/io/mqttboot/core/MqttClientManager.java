package io.mqttboot.core;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.event.MqttConnectedEvent;
import io.mqttboot.event.MqttConnectionLostEvent;
import io.mqttboot.event.MqttMessageDeliveredEvent;
import io.mqttboot.event.MqttSubscribedEvent;
import io.mqttboot.event.MqttSubscriptionRefusedEvent;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;

/**
 * Owns the one MQTT connection of a client identifier: connects on start, reconnects with
 * exponential back-off and jitter when the connection is lost, publishes
 * {@link MqttConnectedEvent} and {@link MqttConnectionLostEvent}, keeps publishes in a
 * bounded outbox while disconnected and disconnects normally on stop.
 * <p>
 * Publishing and (later) listening share this connection: two connections with the same
 * client identifier would take each other over [MQTT-3.1.4-3].
 *
 * @since 0.1.0
 */
public class MqttClientManager implements SmartLifecycle, DisposableBean {

	/**
	 * The lifecycle phase of client managers: they start before and stop after the
	 * listener containers, which use {@code DEFAULT_PHASE - 1000}.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2000;

	private static final Log logger = LogFactory.getLog(MqttClientManager.class);

	private static final int DRAIN_BATCH = 256;

	private static final int SUBSCRIBE_BATCH = 1000;

	private static final Duration FLAP_THRESHOLD = Duration.ofSeconds(5);

	private static final int FLAPS_BEFORE_WARNING = 3;

	private final String name;

	private final MqttClientSettings settings;

	private final List<MqttClientCustomizer> customizers;

	private final @Nullable ApplicationEventPublisher eventPublisher;

	private final MqttInFlightTracker inFlight = new MqttInFlightTracker();

	private final ReentrantLock lock = new ReentrantLock();

	private final ArrayDeque<PendingPublish> outbox = new ArrayDeque<>();

	private final AtomicInteger connectionGeneration = new AtomicInteger();

	private final ExecutorService events;

	private final MqttEngine engine;

	private volatile boolean open;

	private volatile boolean running;

	private volatile boolean stopped;

	private volatile boolean everConnected;

	private volatile MqttConnectionState state = MqttConnectionState.DISCONNECTED;

	private volatile boolean sessionPresent;

	private volatile int reconnectAttempts;

	private volatile @Nullable Instant connectedSince;

	private volatile @Nullable Throwable lastDisconnectCause;

	private volatile @Nullable MqttInboundHandler inboundHandler;

	private final MqttUnroutedMessages unrouted;

	private final LongAdder[] published = { new LongAdder(), new LongAdder(), new LongAdder() };

	private final LongAdder[] publishFailed = { new LongAdder(), new LongAdder(), new LongAdder() };

	private final LongAdder[] received = { new LongAdder(), new LongAdder(), new LongAdder() };

	private final AtomicLong reconnects = new AtomicLong();

	private volatile @Nullable String lastDisconnectReason;

	private final AtomicLong takeOvers = new AtomicLong();

	private volatile int flaps;

	private final Object subscriptionMonitor = new Object();

	private List<MqttSubscription> desiredSubscriptions = List.of();

	private final Map<String, MqttSubscriptionStatus> subscriptionStatus = new ConcurrentHashMap<>();

	private volatile boolean subscribedOnThisRun;

	/**
	 * Subscriptions of this client's own: the reply topic and the {@code receive} filters.
	 * Guarded by {@link #subscriptionMonitor}; kept apart from the listeners' ones, which
	 * {@link #setSubscriptions(List)} replaces.
	 */
	private final Map<String, MqttSubscription> internalSubscriptions = new LinkedHashMap<>();

	private final Map<String, CompletableFuture<Integer>> pendingSubAcks = new ConcurrentHashMap<>();

	private final List<Predicate<MqttReceivedMessage>> internalReceivers = new CopyOnWriteArrayList<>();

	private final MqttReplyCorrelator replyCorrelator = new MqttReplyCorrelator(this);

	private final MqttPullBuffers pullBuffers = new MqttPullBuffers(this);

	/**
	 * Create a new manager.
	 * @param name the configured client name ({@code default} for the primary client)
	 * @param settings the resolved client settings
	 * @param customizers customizers applied to the HiveMQ client builder, in order
	 * @param eventPublisher where to publish connection events, or {@code null}
	 */
	public MqttClientManager(String name, MqttClientSettings settings, List<MqttClientCustomizer> customizers,
			@Nullable ApplicationEventPublisher eventPublisher) {
		this.name = name;
		this.settings = settings;
		this.customizers = List.copyOf(customizers);
		this.eventPublisher = eventPublisher;
		this.unrouted = new MqttUnroutedMessages(name);
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory("mqtt-" + name + "-events-");
		threadFactory.setDaemon(true);
		this.events = Executors.newSingleThreadExecutor(threadFactory);
		this.engine = HiveMqEngines.create(settings, this.customizers, new EngineCallbacks());
		this.engine.setInboundHandler(name, this::onMessage, this.inFlight);
	}

	/**
	 * Return the configured client name.
	 * @return the name, {@code default} for the primary client
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * Return the settings of this client.
	 * @return the settings
	 */
	public MqttClientSettings getSettings() {
		return this.settings;
	}

	/**
	 * Return the MQTT client identifier.
	 * @return the client identifier
	 */
	public String getClientId() {
		return this.settings.getClientId();
	}

	/**
	 * Return the broker URI, without user-info.
	 * @return the server URI
	 */
	public URI getServerUri() {
		return this.settings.getServerUri();
	}

	/**
	 * Return the connection state.
	 * @return the state
	 */
	public MqttConnectionState getState() {
		return this.state;
	}

	/**
	 * Return whether the client is connected.
	 * @return {@code true} when connected
	 */
	public boolean isConnected() {
		return this.state == MqttConnectionState.CONNECTED;
	}

	/**
	 * Return the CONNACK session-present flag of the current or last connection.
	 * @return whether the broker resumed a session
	 */
	public boolean isSessionPresent() {
		return this.sessionPresent;
	}

	/**
	 * Return the consecutive failed connection attempts since the last successful
	 * connection.
	 * @return the attempt count
	 */
	public int getReconnectAttempts() {
		return this.reconnectAttempts;
	}

	/**
	 * Return when the current connection was established.
	 * @return the instant, or {@code null} when not connected
	 */
	public @Nullable Instant getConnectedSince() {
		return this.connectedSince;
	}

	/**
	 * Return why the last connection was lost or the last attempt failed.
	 * @return the cause, or {@code null} if the connection was never lost
	 */
	public @Nullable Throwable getLastDisconnectCause() {
		return this.lastDisconnectCause;
	}

	/**
	 * Return a short description of why the last connection was lost, including the MQTT 5
	 * reason code and reason string when the broker sent them.
	 * @return the reason, or {@code null} if the connection was never lost
	 */
	public @Nullable String getLastDisconnectReason() {
		return this.lastDisconnectReason;
	}

	/**
	 * Return how often another connection with the same client identifier took this
	 * client's session over: MQTT 5 DISCONNECT with reason 0x8E, or (for brokers that just
	 * close the old connection, like mosquitto 2.0) the third and every further connection
	 * in a row that the broker closed within 5 seconds of accepting it. Above zero, two
	 * applications (or two instances of one) share a client identifier.
	 * @return the take-over count since start
	 */
	public long getSessionTakeOverCount() {
		return this.takeOvers.get();
	}

	/**
	 * Return how often this client re-established a lost connection since start.
	 * @return the reconnect count
	 */
	public long getReconnectCount() {
		return this.reconnects.get();
	}

	/**
	 * Return how many messages of a QoS the broker acknowledged (QoS 0: were written).
	 * @param qos 0, 1 or 2
	 * @return the count since start
	 */
	public long getPublishedCount(int qos) {
		return this.published[qos].sum();
	}

	/**
	 * Return how many messages of a QoS could not be published.
	 * @param qos 0, 1 or 2
	 * @return the count since start
	 */
	public long getPublishFailedCount(int qos) {
		return this.publishFailed[qos].sum();
	}

	/**
	 * Return how many messages of a QoS were received.
	 * @param qos 0, 1 or 2
	 * @return the count since start
	 */
	public long getReceivedCount(int qos) {
		return this.received[qos].sum();
	}

	/**
	 * Return the in-flight counters of this client.
	 * @return the tracker
	 */
	public MqttInFlightTracker getInFlight() {
		return this.inFlight;
	}

	/**
	 * Return how many publishes wait in the outbox for the connection.
	 * @return the outbox depth
	 */
	public int getOutboxSize() {
		this.lock.lock();
		try {
			return this.outbox.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the counter of received messages that no listener wanted.
	 * @return the unrouted messages of this client
	 */
	public MqttUnroutedMessages getUnroutedMessages() {
		return this.unrouted;
	}

	/**
	 * Set the receiver of every incoming message; one handler per client (the listener
	 * dispatcher). Messages arriving before a handler is set are acknowledged, counted and
	 * logged as {@linkplain #getUnroutedMessages() unrouted}.
	 * @param handler the handler, called in order on a thread of the MQTT client
	 * @throws IllegalStateException if a handler is already set
	 */
	public void setInboundHandler(MqttInboundHandler handler) {
		Assert.state(this.inboundHandler == null,
				() -> "MQTT client '" + this.name + "' already has an inbound handler");
		this.inboundHandler = handler;
	}

	/**
	 * Return the MQTT 5 request/reply state of this client.
	 * @return the reply correlator
	 */
	public MqttReplyCorrelator getReplyCorrelator() {
		return this.replyCorrelator;
	}

	/**
	 * Return the buffers behind {@link MqttOperations#receive(String, Duration)}.
	 * @return the pull buffers
	 */
	public MqttPullBuffers getPullBuffers() {
		return this.pullBuffers;
	}

	/**
	 * Add a subscription of the client's own (not a listener's), kept until the client
	 * stops and renewed on every connection, whose messages go to the receiver instead of
	 * the inbound handler.
	 * @param subscription the subscription
	 * @param receiver takes the messages it wants (and owns their acknowledgement) by
	 * returning {@code true}
	 * @return a future completed with the granted QoS, or failed if the broker refused;
	 * calling again for a held filter returns the pending or granted result, or subscribes
	 * again after a refusal (the receiver is added once)
	 */
	CompletableFuture<Integer> subscribeInternal(MqttSubscription subscription,
			Predicate<MqttReceivedMessage> receiver) {
		String filter = subscription.filter();
		CompletableFuture<Integer> subAck;
		boolean apply;
		synchronized (this.subscriptionMonitor) {
			if (this.internalSubscriptions.putIfAbsent(filter, subscription) == null) {
				this.internalReceivers.add(receiver);
			}
			subAck = this.pendingSubAcks.get(filter);
			MqttSubscriptionStatus status = this.subscriptionStatus.get(filter);
			if (subAck == null && status != null && status.grantedQos() != null) {
				return CompletableFuture.completedFuture(status.grantedQos());
			}
			apply = subAck == null && isConnected() && this.subscribedOnThisRun;
			if (subAck == null) {
				subAck = new CompletableFuture<>();
				this.pendingSubAcks.put(filter, subAck);
			}
		}
		if (apply) {
			subscribe(List.of(subscription));
		}
		return subAck.thenApply((code) -> {
			if (code >= 0x80) {
				throw new MqttException("MQTT client '" + this.name + "': the broker refused the subscription to '"
						+ filter + "' (SUBACK reason code 0x" + Integer.toHexString(code) + ")");
			}
			return code;
		});
	}

	private List<MqttSubscription> withInternal(List<MqttSubscription> subscriptions) {
		if (this.internalSubscriptions.isEmpty()) {
			return subscriptions;
		}
		List<MqttSubscription> all = new ArrayList<>(subscriptions);
		Set<String> filters = new HashSet<>();
		subscriptions.forEach((subscription) -> filters.add(subscription.filter()));
		this.internalSubscriptions.values()
			.stream()
			.filter((subscription) -> !filters.contains(subscription.filter()))
			.forEach(all::add);
		return all;
	}

	private void onMessage(MqttReceivedMessage message) {
		this.received[message.getQos()].increment();
		for (Predicate<MqttReceivedMessage> receiver : this.internalReceivers) {
			if (receiver.test(message)) {
				return;
			}
		}
		MqttInboundHandler handler = this.inboundHandler;
		if (handler != null) {
			handler.onMessage(message);
		}
		else {
			// Only possible for subscriptions of an earlier run of a persistent session.
			this.unrouted.record(message, false);
			message.acknowledge();
		}
	}

	/**
	 * Set the subscriptions this client must hold. Applied on every connection whose
	 * CONNACK says the session is not present, on the first connection of a run, and
	 * immediately (as the difference) when connected. Nothing is unsubscribed on shutdown.
	 * @param subscriptions the complete set of subscriptions
	 */
	public void setSubscriptions(List<MqttSubscription> subscriptions) {
		List<MqttSubscription> added;
		List<String> removed;
		boolean apply;
		synchronized (this.subscriptionMonitor) {
			Map<String, MqttSubscription> previous = new LinkedHashMap<>();
			this.desiredSubscriptions.forEach((subscription) -> previous.put(subscription.filter(), subscription));
			added = subscriptions.stream()
				.filter((subscription) -> !subscription.equals(previous.get(subscription.filter())))
				.toList();
			Set<String> kept = new HashSet<>();
			subscriptions.forEach((subscription) -> kept.add(subscription.filter()));
			removed = previous.keySet()
				.stream()
				.filter((filter) -> !kept.contains(filter) && !this.internalSubscriptions.containsKey(filter))
				.toList();
			this.desiredSubscriptions = List.copyOf(subscriptions);
			// Decided under the same lock as subscribeAll(), so that a change is either part of
			// the full subscription of this connection or applied here, never lost in between.
			apply = isConnected() && this.subscribedOnThisRun;
		}
		removed.forEach(this.subscriptionStatus::remove);
		if (apply) {
			if (!removed.isEmpty()) {
				this.engine.unsubscribe(removed)
					.whenComplete((ignored, ex) -> logSubscriptionFailure("unsubscribe from " + removed, ex));
			}
			subscribe(added);
		}
	}

	/**
	 * Return the subscriptions this client holds and what the broker answered.
	 * @return the subscription status, in subscription order
	 */
	public List<MqttSubscriptionStatus> getSubscriptions() {
		List<MqttSubscription> desired;
		synchronized (this.subscriptionMonitor) {
			desired = withInternal(this.desiredSubscriptions);
		}
		return desired.stream()
			.map((subscription) -> this.subscriptionStatus.getOrDefault(subscription.filter(),
					new MqttSubscriptionStatus(subscription.filter(), subscription.qos(), null, null)))
			.toList();
	}

	private void subscribeAll() {
		List<MqttSubscription> desired;
		synchronized (this.subscriptionMonitor) {
			desired = withInternal(this.desiredSubscriptions);
			this.subscribedOnThisRun = true;
		}
		subscribe(desired);
	}

	/**
	 * Subscribe the client's own subscriptions that were added while disconnected, when the
	 * resumed session means {@link #subscribeAll()} is skipped.
	 */
	private void subscribeUnacknowledgedInternal() {
		List<MqttSubscription> pending;
		synchronized (this.subscriptionMonitor) {
			pending = this.internalSubscriptions.values()
				.stream()
				.filter((subscription) -> this.pendingSubAcks.containsKey(subscription.filter()))
				.toList();
		}
		subscribe(pending);
	}

	private void subscribe(List<MqttSubscription> subscriptions) {
		// One SUBSCRIBE per chunk keeps packets well below common maximum packet sizes.
		for (int from = 0; from < subscriptions.size(); from += SUBSCRIBE_BATCH) {
			List<MqttSubscription> chunk = subscriptions.subList(from,
					Math.min(subscriptions.size(), from + SUBSCRIBE_BATCH));
			this.engine.subscribe(chunk).whenComplete((codes, ex) -> {
				if (ex != null) {
					logSubscriptionFailure("subscribe to " + chunk.stream().map(MqttSubscription::filter).toList(), ex);
					return;
				}
				runOnEventThread(() -> onSubAck(chunk, codes));
			});
		}
	}

	private void onSubAck(List<MqttSubscription> subscriptions, List<Integer> codes) {
		List<String> granted = new ArrayList<>();
		for (int i = 0; i < subscriptions.size(); i++) {
			MqttSubscription subscription = subscriptions.get(i);
			int code = (i < codes.size()) ? codes.get(i) : 0x80;
			boolean refused = code >= 0x80;
			this.subscriptionStatus.put(subscription.filter(), new MqttSubscriptionStatus(subscription.filter(),
					subscription.qos(), refused ? null : code, code));
			CompletableFuture<Integer> subAck = this.pendingSubAcks.remove(subscription.filter());
			if (subAck != null) {
				subAck.complete(code);
			}
			if (refused) {
				logger.error("MQTT client '" + this.name + "' (client id '" + getClientId() + "'): the broker refused"
						+ " the subscription to topic filter '" + subscription.filter() + "' (SUBACK reason code 0x"
						+ Integer.toHexString(code) + "); other subscriptions are unaffected");
				publishEvent(new MqttSubscriptionRefusedEvent(this, this.name, getClientId(), subscription.filter(),
						code));
			}
			else {
				if (code < subscription.qos()) {
					logger.warn("MQTT client '" + this.name + "': the broker granted QoS " + code
							+ " instead of QoS " + subscription.qos() + " for topic filter '" + subscription.filter()
							+ "'");
				}
				granted.add(subscription.filter());
			}
		}
		if (!granted.isEmpty()) {
			logger.debug("MQTT client '" + this.name + "' subscribed to " + granted);
			publishEvent(new MqttSubscribedEvent(this, this.name, getClientId(), granted));
		}
	}

	private void logSubscriptionFailure(String what, @Nullable Throwable ex) {
		if (ex != null) {
			logger.warn("MQTT client '" + this.name + "' could not " + what + ": " + describe(ex)
					+ "; it is retried on the next connection");
		}
	}

	/**
	 * Publish a resolved message: directly when connected, through the outbox otherwise.
	 * @param publish the message
	 * @return a future completed on PUBACK/PUBCOMP (QoS 0: on write)
	 */
	CompletableFuture<MqttPublishResult> publish(OutboundPublish publish) {
		int maxPacketSize = this.settings.getMaxPacketSize();
		if (maxPacketSize > 0) {
			long packetSize = publish.packetSize(this.settings.getVersion());
			if (packetSize > maxPacketSize) {
				// Never send it: on MQTT 3.1.1 the broker would close the connection, and the
				// client would resend the message after every reconnect.
				this.publishFailed[publish.qos()].increment();
				return CompletableFuture.failedFuture(new MqttPublishException(publish.topic(),
						"Message to topic '" + publish.topic() + "' (QoS " + publish.qos() + ", payload "
								+ publish.payload().length + " bytes) is a PUBLISH packet of " + packetSize
								+ " bytes, more than the maximum packet size of " + maxPacketSize
								+ " bytes (mqtt.publish.max-packet-size); it was not sent",
						null));
			}
		}
		if (this.open) {
			return send(publish);
		}
		this.lock.lock();
		try {
			if (this.open) {
				return send(publish);
			}
			if (this.stopped) {
				return CompletableFuture.failedFuture(new MqttPublishException(publish.topic(),
						"MQTT client '" + this.name + "' is stopped; message for topic '" + publish.topic()
								+ "' was not published",
						null));
			}
			if (this.outbox.size() >= this.settings.getOutboxCapacity()) {
				return CompletableFuture.failedFuture(
						new MqttOutboxFullException(this.name, publish.topic(), this.settings.getOutboxCapacity()));
			}
			PendingPublish pending = new PendingPublish(publish, new CompletableFuture<>());
			this.outbox.add(pending);
			return pending.future;
		}
		finally {
			this.lock.unlock();
		}
	}

	private CompletableFuture<MqttPublishResult> send(OutboundPublish publish) {
		int qos = publish.qos();
		this.inFlight.outgoingStarted(qos);
		CompletableFuture<MqttPublishResult> sent;
		try {
			sent = this.engine.publish(publish);
		}
		catch (RuntimeException ex) {
			this.inFlight.outgoingCompleted(qos);
			this.publishFailed[qos].increment();
			return CompletableFuture.failedFuture(wrap(publish, ex));
		}
		CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
		sent.whenComplete((publishResult, ex) -> {
			this.inFlight.outgoingCompleted(qos);
			((ex != null) ? this.publishFailed : this.published)[qos].increment();
			if (ex != null) {
				result.completeExceptionally(wrap(publish, ex));
			}
			else {
				if (this.settings.isDeliveryEvents()) {
					runOnEventThread(() -> publishEvent(
							new MqttMessageDeliveredEvent(this, this.name, getClientId(), publish.topic(), qos)));
				}
				result.complete(publishResult);
			}
		});
		return result;
	}

	private Throwable wrap(OutboundPublish publish, Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		if (cause instanceof MqttPublishException) {
			return cause;
		}
		return new MqttPublishException(publish.topic(), "Failed to publish to topic '" + publish.topic() + "' (QoS "
				+ publish.qos() + ", payload " + publish.payload().length + " bytes) with MQTT client '" + this.name
				+ "': " + cause.getMessage(), cause);
	}

	private void drainOutbox(int generation) {
		while (true) {
			this.lock.lock();
			try {
				if (this.connectionGeneration.get() != generation || this.stopped) {
					// Lost again while draining; the next connection drains the rest.
					return;
				}
				if (this.outbox.isEmpty()) {
					this.open = true;
					return;
				}
				for (int i = 0; i < DRAIN_BATCH && !this.outbox.isEmpty(); i++) {
					PendingPublish pending = this.outbox.poll();
					send(pending.publish).whenComplete((result, ex) -> {
						if (ex != null) {
							pending.future.completeExceptionally(ex);
						}
						else {
							pending.future.complete(result);
						}
					});
				}
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	@Override
	public void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		this.stopped = false;
		this.subscribedOnThisRun = false;
		this.state = MqttConnectionState.CONNECTING;
		logger.info("Starting MQTT client '" + this.name + "' (client id '" + getClientId() + "', "
				+ this.settings.getVersion() + ((this.settings.isSecure()) ? ", TLS" : "") + ") for " + getServerUri());
		MqttTlsSettings tls = this.settings.getTls();
		if (tls != null && !tls.verifyHostname()) {
			logger.warn("MQTT client '" + this.name + "': TLS hostname verification is DISABLED (ssl.verify-hostname=false):"
					+ " any certificate the trust store accepts is accepted for any host, which allows"
					+ " man-in-the-middle attacks. Use this only for testing");
		}
		CompletableFuture<Boolean> connected = this.engine.connect();
		if (this.settings.isFailFast()) {
			Duration timeout = this.settings.getConnectTimeout().multipliedBy(2).plusSeconds(5);
			try {
				connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				failStart(ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				failStart((ex.getCause() != null) ? ex.getCause() : ex);
			}
		}
	}

	private void failStart(Throwable cause) {
		this.running = false;
		this.stopped = true;
		this.state = MqttConnectionState.DISCONNECTED;
		this.engine.disconnect().exceptionally((ex) -> null);
		throw new MqttException("MQTT client '" + this.name + "' (client id '" + getClientId()
				+ "') could not connect to " + getServerUri() + " and mqtt.fail-fast is true: " + describe(cause),
				cause);
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		long deadline = System.nanoTime() + this.settings.getShutdownTimeout().toNanos();
		awaitOutgoing(deadline);
		this.lock.lock();
		try {
			this.stopped = true;
			this.open = false;
		}
		finally {
			this.lock.unlock();
		}
		try {
			this.engine.disconnect().get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
					TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// Not connected (or reconnecting): disconnect() cancelled the reconnect, nothing to close.
			logger.debug("MQTT client '" + this.name + "' disconnect: " + describe(ex));
		}
		failOutbox();
		this.state = MqttConnectionState.DISCONNECTED;
		this.connectedSince = null;
		logger.info("Stopped MQTT client '" + this.name + "' (client id '" + getClientId() + "')");
	}

	private void awaitOutgoing(long deadline) {
		while ((this.inFlight.getOutgoingQos1() > 0 || this.inFlight.getOutgoingQos2() > 0) && this.open
				&& System.nanoTime() < deadline) {
			try {
				TimeUnit.MILLISECONDS.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private void failOutbox() {
		this.lock.lock();
		try {
			PendingPublish pending;
			while ((pending = this.outbox.poll()) != null) {
				pending.future.completeExceptionally(new MqttPublishException(pending.publish.topic(),
						"MQTT client '" + this.name + "' stopped before it could publish to topic '"
								+ pending.publish.topic() + "'",
						null));
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stop if still running, for example when the application context failed to start
	 * after this client connected, so that no connection or thread outlives the context.
	 */
	@Override
	public void destroy() {
		stop();
		this.events.shutdown();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	long reconnectDelay(int attempts) {
		long initial = this.settings.getReconnectInitialDelay().toMillis();
		long max = this.settings.getReconnectMaxDelay().toMillis();
		long delay = (attempts >= 30) ? max : Math.min(max, initial << attempts);
		// Equal jitter: spread clients that lost the same broker over [delay/2, delay].
		return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
	}

	private void publishEvent(ApplicationEvent event) {
		if (this.eventPublisher != null) {
			this.eventPublisher.publishEvent(event);
		}
	}

	private void runOnEventThread(Runnable task) {
		try {
			this.events.execute(() -> {
				try {
					task.run();
				}
				catch (RuntimeException ex) {
					logger.warn("MQTT client '" + this.name + "' event listener failed", ex);
				}
			});
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			// Stopped: no more events.
		}
	}

	static String describe(Throwable ex) {
		Throwable cause = ex;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		String message = cause.getMessage();
		if (message == null && cause.getCause() != null) {
			message = cause.getCause().getMessage();
		}
		return cause.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	@Override
	public String toString() {
		return "MqttClientManager[name=" + this.name + ", clientId=" + getClientId() + ", serverUri="
				+ getServerUri() + ", state=" + this.state + "]";
	}

	private record PendingPublish(OutboundPublish publish, CompletableFuture<MqttPublishResult> future) {
	}

	private final class EngineCallbacks implements MqttEngine.Callbacks {

		@Override
		public void connected(boolean sessionPresent) {
			MqttClientManager manager = MqttClientManager.this;
			int generation = manager.connectionGeneration.incrementAndGet();
			boolean reconnect = manager.everConnected;
			if (reconnect) {
				manager.reconnects.incrementAndGet();
			}
			manager.everConnected = true;
			manager.sessionPresent = sessionPresent;
			manager.reconnectAttempts = 0;
			manager.connectedSince = Instant.now();
			manager.state = MqttConnectionState.CONNECTED;
			runOnEventThread(() -> {
				logger.info("MQTT client '" + manager.name + "' (client id '" + getClientId() + "') connected to "
						+ getServerUri() + " (session present: " + sessionPresent + ")");
				if (!sessionPresent || !manager.subscribedOnThisRun) {
					subscribeAll();
				}
				else {
					subscribeUnacknowledgedInternal();
				}
				drainOutbox(generation);
				publishEvent(new MqttConnectedEvent(manager, manager.name, getClientId(), sessionPresent, reconnect));
			});
		}

		@Override
		public long disconnected(Throwable cause, boolean byUser, int attempts) {
			MqttClientManager manager = MqttClientManager.this;
			Instant since = manager.connectedSince;
			manager.connectionGeneration.incrementAndGet();
			manager.open = false;
			manager.connectedSince = null;
			if (byUser || !manager.running || (manager.settings.isFailFast() && !manager.everConnected)) {
				manager.state = MqttConnectionState.DISCONNECTED;
				return -1;
			}
			manager.lastDisconnectCause = cause;
			manager.lastDisconnectReason = HiveMqEngines.reason(cause);
			manager.state = MqttConnectionState.RECONNECTING;
			manager.reconnectAttempts = attempts + 1;
			if (since != null) {
				// Connections that die right after being established, again and again, mean
				// something kicks us off (typically another connection with our client id):
				// keep backing off instead of reconnecting in a tight loop.
				boolean shortLived = Duration.between(since, Instant.now()).compareTo(FLAP_THRESHOLD) < 0;
				manager.flaps = shortLived ? manager.flaps + 1 : 0;
			}
			boolean takenOver = HiveMqEngines.isSessionTakenOver(cause);
			boolean suspected = !takenOver && since != null && manager.flaps >= FLAPS_BEFORE_WARNING;
			if (takenOver || suspected) {
				long count = manager.takeOvers.incrementAndGet();
				if (takenOver || manager.flaps == FLAPS_BEFORE_WARNING) {
					runOnEventThread(() -> logger.warn("MQTT client '" + manager.name + "': "
							+ (takenOver ? "another connection with the same client id '" + getClientId()
									+ "' took the session over"
									: "the broker closed " + FLAPS_BEFORE_WARNING
											+ " connections in a row right after accepting them, which is what happens"
											+ " when another connection uses the same client id '" + getClientId() + "'")
							+ " (" + count + " time" + ((count != 1) ? "s" : "") + " so far). Give each application"
							+ " instance a unique mqtt.client-id"));
				}
			}
			long delay = reconnectDelay(attempts + manager.flaps);
			runOnEventThread(() -> {
				String what = (attempts == 0 && manager.everConnected) ? "lost connection to" : "could not connect to";
				logger.warn("MQTT client '" + manager.name + "' (client id '" + getClientId() + "') " + what + " "
						+ getServerUri() + ": " + describe(cause) + "; retrying in " + delay + " ms (attempt "
						+ (attempts + 1) + ")");
				publishEvent(new MqttConnectionLostEvent(manager, manager.name, getClientId(), cause, attempts));
			});
			return delay;
		}

	}

}
