package io.mqttboot.core;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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

import io.mqttboot.core.engine.HiveMqEngines;
import io.mqttboot.core.engine.MqttEngine;
import io.mqttboot.core.outbox.MqttOutboxStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.event.MqttConnectedEvent;
import io.mqttboot.event.MqttConnectionLostEvent;
import io.mqttboot.event.MqttInboundFailedEvent;
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
 * bounded outbox while disconnected (in memory, or durably in a file with
 * {@code mqtt.outbox.store=file}) and disconnects normally on stop.
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

	private volatile MqttOutboxStore outboxStore;

	private volatile boolean open;

	private volatile boolean running;

	private volatile boolean stopped;

	private volatile boolean everConnected;

	/**
	 * The server of the list the client is connected to or tries next; {@code null} until
	 * the client moves on from the first one.
	 */
	private volatile @Nullable URI currentServerUri;

	private volatile MqttConnectionState state = MqttConnectionState.DISCONNECTED;

	private volatile boolean sessionPresent;

	private volatile int reconnectAttempts;

	private volatile @Nullable Instant connectedSince;

	private volatile @Nullable Thread networkThread;

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

	private volatile int silentBrokerCloses;

	private final Object subscriptionMonitor = new Object();

	private List<MqttSubscription> desiredSubscriptions = List.of();

	private final Map<String, MqttSubscriptionStatus> subscriptionStatus = new ConcurrentHashMap<>();

	/**
	 * What this run sent to the broker and did not unsubscribe since: granted, refused or
	 * awaiting SUBACK. Guarded by {@link #subscriptionMonitor}.
	 */
	private final Map<String, SentSubscription> sent = new HashMap<>();

	/**
	 * Whether the current connection was reconciled, so that changes are sent at once.
	 * Guarded by {@link #subscriptionMonitor}.
	 */
	private boolean subscriptionsLive;

	private final AtomicLong inboundFailures = new AtomicLong();

	private volatile @Nullable String inboundFailure;

	private volatile @Nullable String lastInboundFailure;

	private final MqttPublishGuard publishGuard;

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
		this.publishGuard = new MqttPublishGuard(name, settings.getMaxQos(), this.engine::maximumQos,
				this::runOnEventThread, !settings.isCleanStart() || !settings.getSessionExpiry().isZero());
		this.engine.setInboundHandler(name, this::onMessage, this.inFlight);
		this.outboxStore = MqttOutboxStore.create(name, settings);
		recoverOutbox();
	}

	/**
	 * Queue what an earlier run left in the durable outbox, ahead of anything published in
	 * this run, so that the order of acceptance is kept across the restart.
	 */
	private void recoverOutbox() {
		List<MqttOutboxStore.StoredPublish> recovered = this.outboxStore.recover();
		if (recovered.isEmpty()) {
			return;
		}
		String location = this.outboxStore.getLocation();
		this.lock.lock();
		try {
			for (MqttOutboxStore.StoredPublish stored : recovered) {
				CompletableFuture<MqttPublishResult> future = new CompletableFuture<>();
				// Nobody of this run waits for these futures: a failure is logged instead.
				future.whenComplete((result, ex) -> {
					if (ex != null) {
						logger.warn("MQTT client '" + this.name + "': message for topic '" + stored.publish().topic()
								+ "' recovered from outbox file '" + location + "' was not published: " + describe(ex));
					}
				});
				this.outbox.add(new PendingPublish(stored.publish(), future, stored.id()));
			}
		}
		finally {
			this.lock.unlock();
		}
		logger.info("MQTT client '" + this.name + "': " + recovered.size() + " message"
				+ ((recovered.size() != 1) ? "s" : "") + " accepted by an earlier run and not acknowledged by the broker"
				+ " were recovered from outbox file '" + location + "'; they are published first, in order");
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
		URI current = this.currentServerUri;
		return (current != null) ? current : this.settings.getServerUri();
	}

	/**
	 * Return every broker this client may connect to, in the order they are tried.
	 * @return the server URIs, without user-info; {@link #getServerUri()} is one of them
	 */
	public List<URI> getServerUris() {
		return this.settings.getServerUris();
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
	 * in a row that the broker closed without DISCONNECT within 5 seconds of accepting it.
	 * Connections this client closed itself (a protocol error of the broker), reset by the
	 * network or ended by a DISCONNECT with another reason are not counted. Above zero, two
	 * applications (or two instances of one) share a client identifier.
	 * @return the take-over count since start
	 */
	public long getSessionTakeOverCount() {
		return this.takeOvers.get();
	}

	/**
	 * Return why this client does not receive messages right now although it may be
	 * connected: its flow of incoming messages ended unexpectedly and is not renewed yet.
	 * Meanwhile incoming messages are acknowledged without being delivered.
	 * @return the reason, or {@code null} while incoming messages are delivered
	 */
	public @Nullable String getInboundFailure() {
		return this.inboundFailure;
	}

	/**
	 * Return why the flow of incoming messages last ended unexpectedly.
	 * @return the reason, or {@code null} if it never did
	 */
	public @Nullable String getLastInboundFailure() {
		return this.lastInboundFailure;
	}

	/**
	 * Return how often the flow of incoming messages ended unexpectedly and had to be
	 * renewed.
	 * @return the failure count since the client was created
	 */
	public long getInboundFailureCount() {
		return this.inboundFailures.get();
	}

	/**
	 * Return how many messages were published with a lower QoS than asked for, because
	 * of {@code mqtt.publish.max-qos} or the Maximum QoS an MQTT 5 broker announced.
	 * @return the count since the client was created
	 */
	public long getPublishDowngradedCount() {
		return this.publishGuard.getDowngradedCount();
	}

	/**
	 * Return how many messages were given up because the broker answered each of them by
	 * ending the connection several times in a row; their futures failed.
	 * @return the count since the client was created
	 */
	public long getPublishGivenUpCount() {
		return this.publishGuard.getGivenUpCount();
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
	 * End the flow of incoming messages as HiveMQ would on an unexpected error. Only for
	 * tests, which have no other way to make the flow fail.
	 * @param ex the error
	 */
	void failInboundForTesting(Throwable ex) {
		HiveMqEngines.failInboundForTesting(this.engine, ex);
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
		synchronized (this.subscriptionMonitor) {
			if (this.internalSubscriptions.putIfAbsent(filter, subscription) == null) {
				this.internalReceivers.add(receiver);
			}
			subAck = this.pendingSubAcks.get(filter);
			MqttSubscriptionStatus status = this.subscriptionStatus.get(filter);
			if (subAck == null && status != null && status.grantedQos() != null) {
				return CompletableFuture.completedFuture(status.grantedQos());
			}
			if (subAck == null) {
				subAck = new CompletableFuture<>();
				this.pendingSubAcks.put(filter, subAck);
				if (status != null) {
					// Refused before: ask again.
					this.sent.remove(filter);
				}
				if (this.subscriptionsLive) {
					reconcileSubscriptions();
				}
			}
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
	 * Set the subscriptions this client must hold. When connected, the difference to what
	 * this run sent is subscribed and unsubscribed at once; while disconnected the change
	 * is kept and reconciled on the next connection, whether or not the broker resumed the
	 * session. Nothing is unsubscribed on shutdown.
	 * @param subscriptions the complete set of subscriptions
	 */
	public void setSubscriptions(List<MqttSubscription> subscriptions) {
		synchronized (this.subscriptionMonitor) {
			Set<String> kept = new HashSet<>();
			subscriptions.forEach((subscription) -> kept.add(subscription.filter()));
			this.desiredSubscriptions.stream()
				.map(MqttSubscription::filter)
				.filter((filter) -> !kept.contains(filter) && !this.internalSubscriptions.containsKey(filter))
				.forEach(this.subscriptionStatus::remove);
			this.desiredSubscriptions = List.copyOf(subscriptions);
			if (this.subscriptionsLive) {
				reconcileSubscriptions();
			}
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

	private void connectedSubscriptions(boolean sessionPresent, int generation) {
		synchronized (this.subscriptionMonitor) {
			if (this.connectionGeneration.get() != generation || !this.running) {
				// Lost again before this ran: the next connection reconciles.
				return;
			}
			if (!sessionPresent) {
				// The broker has no subscription of ours any more.
				this.sent.clear();
			}
			this.subscriptionsLive = true;
			reconcileSubscriptions();
		}
	}

	/**
	 * Send what is desired but was not sent on this run, unsubscribe what was sent but is no
	 * longer desired. Changes made while disconnected are applied here on the next
	 * connection, also when the broker resumed the session: that session still holds the
	 * subscriptions of stopped listeners and lacks those of listeners started meanwhile.
	 * Called with {@link #subscriptionMonitor} held, so that changes are sent in order.
	 */
	private void reconcileSubscriptions() {
		Map<String, MqttSubscription> desired = new LinkedHashMap<>();
		withInternal(this.desiredSubscriptions)
			.forEach((subscription) -> desired.put(subscription.filter(), subscription));
		List<String> stale = this.sent.keySet().stream().filter((filter) -> !desired.containsKey(filter)).toList();
		List<SentSubscription> missing = new ArrayList<>();
		int generation = this.connectionGeneration.get();
		for (MqttSubscription subscription : desired.values()) {
			SentSubscription sent = this.sent.get(subscription.filter());
			if (sent == null || !sent.subscription().equals(subscription)) {
				SentSubscription sending = new SentSubscription(subscription, generation);
				this.sent.put(subscription.filter(), sending);
				missing.add(sending);
			}
		}
		// Subscribe first: when a wider filter replaces a narrower one (merged with a new
		// listener's), unsubscribing first would leave a moment in which the broker routes
		// the narrower filter's messages nowhere. The broker handles our packets in order,
		// so for that moment it sends a copy per subscription instead (duplicates, not loss).
		subscribe(missing);
		if (!stale.isEmpty()) {
			Map<String, SentSubscription> unsubscribing = new LinkedHashMap<>();
			// Marked with this connection, so that a failure is retried at once only when
			// reported after a reconnect, never in a loop on the same connection.
			stale.forEach((filter) -> unsubscribing.put(filter,
					new SentSubscription(this.sent.remove(filter).subscription(), generation)));
			this.engine.unsubscribe(stale).whenComplete((ignored, ex) -> {
				if (ex != null) {
					onUnsubscribeFailed(unsubscribing, ex);
				}
				else {
					logger.debug("MQTT client '" + this.name + "' unsubscribed from " + stale);
				}
			});
		}
	}

	private void onUnsubscribeFailed(Map<String, SentSubscription> unsubscribing, Throwable ex) {
		logSubscriptionFailure("unsubscribe from " + unsubscribing.keySet(), ex);
		synchronized (this.subscriptionMonitor) {
			// The broker may still hold them: unsubscribe again on the next reconciliation,
			// unless they are wanted again meanwhile.
			unsubscribing.forEach(this.sent::putIfAbsent);
			retryIfReconnected(unsubscribing.values());
		}
	}

	private void subscribe(List<SentSubscription> subscriptions) {
		// One SUBSCRIBE per chunk keeps packets well below common maximum packet sizes.
		for (int from = 0; from < subscriptions.size(); from += SUBSCRIBE_BATCH) {
			List<SentSubscription> chunk = subscriptions.subList(from,
					Math.min(subscriptions.size(), from + SUBSCRIBE_BATCH));
			List<MqttSubscription> packet = chunk.stream().map(SentSubscription::subscription).toList();
			this.engine.subscribe(packet).whenComplete((codes, ex) -> {
				if (ex != null) {
					onSubscribeFailed(chunk, ex);
					return;
				}
				runOnEventThread(() -> onSubAck(packet, codes));
			});
		}
	}

	private void onSubscribeFailed(List<SentSubscription> chunk, Throwable ex) {
		logSubscriptionFailure("subscribe to " + chunk.stream().map((sent) -> sent.subscription().filter()).toList(),
				ex);
		synchronized (this.subscriptionMonitor) {
			for (SentSubscription failed : chunk) {
				// Only if not sent again since (identity, not equality).
				if (this.sent.get(failed.subscription().filter()) == failed) {
					this.sent.remove(failed.subscription().filter());
				}
			}
			retryIfReconnected(chunk);
		}
	}

	private void retryIfReconnected(Iterable<SentSubscription> failed) {
		// A failure reported after the next connection was already reconciled would
		// otherwise wait for yet another connection.
		for (SentSubscription sent : failed) {
			if (this.subscriptionsLive && sent.generation() != this.connectionGeneration.get()) {
				reconcileSubscriptions();
				return;
			}
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
		if (ex != null && !this.running) {
			// Stopped before the broker answered: the engine cancelled the request.
			logger.debug("MQTT client '" + this.name + "' stopped before it could " + what + ": " + describe(ex));
		}
		else if (ex != null) {
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
			return sendStored(publish);
		}
		PendingPublish pending = null;
		this.lock.lock();
		try {
			if (this.open) {
				// Sent below, outside the lock: the outbox was drained before it opened.
			}
			else if (this.stopped) {
				return CompletableFuture.failedFuture(new MqttPublishException(publish.topic(),
						"MQTT client '" + this.name + "' is stopped; message for topic '" + publish.topic()
								+ "' was not published",
						null));
			}
			else if (this.outbox.size() >= this.settings.getOutboxCapacity()) {
				return CompletableFuture.failedFuture(
						new MqttOutboxFullException(this.name, publish.topic(), this.settings.getOutboxCapacity()));
			}
			else {
				long id;
				try {
					// Queued under the lock, so that the file keeps the order of the outbox.
					id = (publish.qos() > 0) ? this.outboxStore.append(publish) : MqttOutboxStore.NONE;
				}
				catch (IOException ex) {
					return storeFailed(publish, ex);
				}
				pending = new PendingPublish(publish, new CompletableFuture<>(), id);
				this.outbox.add(pending);
			}
		}
		finally {
			this.lock.unlock();
		}
		if (pending == null) {
			return sendStored(publish);
		}
		if (pending.id != MqttOutboxStore.NONE) {
			try {
				// Outside the lock: concurrent publishers share one fsync (group commit).
				this.outboxStore.awaitDurable(pending.id);
			}
			catch (IOException ex) {
				return unqueue(pending, ex);
			}
		}
		return pending.future;
	}

	/**
	 * Send a message while connected; with the durable outbox a QoS 1/2 message is written
	 * to its file first, so that a crash before PUBACK/PUBCOMP does not lose it either.
	 */
	private CompletableFuture<MqttPublishResult> sendStored(OutboundPublish publish) {
		MqttOutboxStore store = this.outboxStore;
		if (publish.qos() == 0 || !store.isDurable()) {
			return send(publish);
		}
		long id;
		try {
			id = store.append(publish);
			store.awaitDurable(id);
		}
		catch (IOException ex) {
			return storeFailed(publish, ex);
		}
		CompletableFuture<MqttPublishResult> result = send(publish);
		result.whenComplete((publishResult, ex) -> release(store, id, ex));
		return result;
	}

	/**
	 * Forget a stored message once the broker answered, or once its failure was reported
	 * to the caller; keep it when the failure comes from stopping, so that the next start
	 * publishes it. Runs on the network thread: {@link MqttOutboxStore#remove} never blocks.
	 */
	private void release(MqttOutboxStore store, long id, @Nullable Throwable ex) {
		if (id != MqttOutboxStore.NONE && (ex == null || this.running)) {
			store.remove(id);
		}
	}

	private CompletableFuture<MqttPublishResult> storeFailed(OutboundPublish publish, IOException ex) {
		this.publishFailed[publish.qos()].increment();
		return CompletableFuture.failedFuture(new MqttPublishException(publish.topic(),
				"MQTT client '" + this.name + "' could not write the message for topic '" + publish.topic()
						+ "' to its outbox file '" + this.outboxStore.getLocation() + "'; it was not published: " + ex,
				ex));
	}

	private CompletableFuture<MqttPublishResult> unqueue(PendingPublish pending, IOException ex) {
		boolean removed;
		this.lock.lock();
		try {
			removed = this.outbox.removeFirstOccurrence(pending);
		}
		finally {
			this.lock.unlock();
		}
		if (removed) {
			this.outboxStore.remove(pending.id);
			return storeFailed(pending.publish, ex);
		}
		// Already on its way to the broker: it is published, but would not survive a crash.
		logger.warn("MQTT client '" + this.name + "' could not sync outbox file '" + this.outboxStore.getLocation()
				+ "' (" + ex + "); the message for topic '" + pending.publish.topic()
				+ "' is being published but would not have survived a crash");
		return pending.future;
	}

	private CompletableFuture<MqttPublishResult> send(OutboundPublish requested) {
		OutboundPublish publish = this.publishGuard.limitQos(requested);
		int qos = publish.qos();
		this.inFlight.outgoingStarted(qos);
		CompletableFuture<MqttPublishResult> result = new CompletableFuture<>();
		MqttPublishGuard.Pending pending = this.publishGuard.sent(publish, result);
		CompletableFuture<MqttPublishResult> sent;
		try {
			sent = this.engine.publish(publish);
		}
		catch (RuntimeException ex) {
			this.publishGuard.completed(pending);
			this.inFlight.outgoingCompleted(qos);
			this.publishFailed[qos].increment();
			return CompletableFuture.failedFuture(wrap(publish, ex));
		}
		sent.whenComplete((publishResult, ex) -> {
			this.inFlight.outgoingCompleted(qos);
			this.publishGuard.completed(pending);
			MqttPublishException givenUp = (pending != null) ? pending.getFailure() : null;
			if (ex != null && givenUp != null) {
				this.publishFailed[qos].increment();
				result.completeExceptionally(givenUp);
				return;
			}
			if (ex != null && pending != null && this.running && HiveMqEngines.isSessionExpired(ex)) {
				// The client dropped its session state to get rid of a message given up
				// (MqttPublishGuard): this one was innocent, publish it again.
				publish(publish).whenComplete((republished, failure) -> {
					if (failure != null) {
						result.completeExceptionally(failure);
					}
					else {
						result.complete(republished);
					}
				});
				return;
			}
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
					MqttOutboxStore store = this.outboxStore;
					send(pending.publish).whenComplete((result, ex) -> {
						release(store, pending.id, ex);
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
		if (this.outboxStore.isClosed()) {
			// Started again after a stop: what the stop kept is published first.
			this.outboxStore = MqttOutboxStore.create(this.name, this.settings);
			recoverOutbox();
		}
		this.running = true;
		this.stopped = false;
		synchronized (this.subscriptionMonitor) {
			// A new run knows nothing of what the broker holds: send every subscription.
			this.sent.clear();
			this.subscriptionsLive = false;
		}
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
			// Every server of the list gets its attempt, after the back-off between them.
			int servers = this.settings.getServerUris().size();
			Duration timeout = this.settings.getConnectTimeout()
				.multipliedBy(2)
				.plusSeconds(5)
				.multipliedBy(servers)
				.plus(this.settings.getReconnectMaxDelay().multipliedBy(servers - 1));
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
		Throwable explained = explainClosedBeforeConnAck(cause);
		List<URI> servers = this.settings.getServerUris();
		String reason = describe(explained) + ((servers.size() > 1) ? " (tried each of " + servers + ")" : "");
		throw new MqttConnectionFailedException(this.name, getClientId(), getServerUri(), reason, explained);
	}

	/**
	 * Return a cause that says what a broker closing an MQTT 5 CONNECT without any CONNACK
	 * most likely means: RabbitMQ 3.10's MQTT plugin, for one, speaks MQTT 3.1.1 only and
	 * closes the connection, leaving the client with nothing but "Server closed connection
	 * without DISCONNECT". Other causes are returned as they are.
	 * @param cause the failure of a connection attempt that got no CONNACK
	 * @return the cause to log, report in health and publish
	 */
	private Throwable explainClosedBeforeConnAck(Throwable cause) {
		Throwable unwrapped = cause;
		while ((unwrapped instanceof CompletionException || unwrapped instanceof ExecutionException)
				&& unwrapped.getCause() != null) {
			unwrapped = unwrapped.getCause();
		}
		if (this.settings.getVersion() != MqttVersion.MQTT_5_0
				|| !HiveMqEngines.isClosedByBrokerWithoutDisconnect(unwrapped)) {
			return cause;
		}
		return new MqttException("The broker closed the MQTT 5 connection before CONNACK: it may speak MQTT 3.1.1"
				+ " only (RabbitMQ 3.x does); if so, set mqtt.version=3", unwrapped);
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
			// Not connected (or waiting to reconnect): disconnect() cancelled the reconnect, nothing
			// to close; a connect attempt still under way is closed when it ends.
			logger.debug("MQTT client '" + this.name + "' disconnect: " + describe(ex));
		}
		failOutbox();
		this.outboxStore.close();
		this.state = MqttConnectionState.DISCONNECTED;
		this.connectedSince = null;
		logger.info("Stopped MQTT client '" + this.name + "' (client id '" + getClientId() + "')");
	}

	/**
	 * Refuse to block the thread that reads this client's connection: what the caller would
	 * wait for (an acknowledgement, a reply, a message) can only arrive on that thread, so
	 * the wait could only end in a timeout, with every other message of the connection
	 * held up until then. Code runs there in callbacks of the futures this client
	 * completes, such as those of {@link MqttTemplate#publishAsync(String, Object)}. The same
	 * holds for RxJava's computation threads when the callbacks are handed there
	 * ({@link MqttClientSettings#isCallbacksOnNetworkThread()} is {@code false}).
	 * @param operation what the caller is about to wait for, for the message
	 * @throws IllegalStateException on the network thread or a computation thread
	 */
	void assertNotOnNetworkThread(String operation) {
		Thread current = Thread.currentThread();
		String role;
		if (current == this.networkThread) {
			role = "reads the client's connection and would have to deliver what the call waits for";
		}
		else if (!this.settings.isCallbacksOnNetworkThread() && HiveMqEngines.isComputationThread(current)) {
			role = "hands on the client's incoming messages and acknowledgements and may have to deliver what the"
					+ " call waits for";
		}
		else {
			return;
		}
		throw new IllegalStateException("MQTT client '" + this.name + "': " + operation + " would block thread '"
				+ current.getName() + "', which " + role + ". This thread runs callbacks of the futures the client"
				+ " completes: use the asynchronous variant, or move the work to an executor (for example"
				+ " thenAcceptAsync(…, executor))");
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
				// A stored message stays in the file and is published on the next start.
				String kept = (pending.id != MqttOutboxStore.NONE) ? "; it is kept in outbox file '"
						+ this.outboxStore.getLocation() + "' and published when the client starts again" : "";
				pending.future.completeExceptionally(new MqttPublishException(pending.publish.topic(),
						"MQTT client '" + this.name + "' stopped before it could publish to topic '"
								+ pending.publish.topic() + "'" + kept,
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
		this.outboxStore.close();
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

	/**
	 * Describe a failure for a log message: the class and message of its cause, unwrapped
	 * from {@link CompletionException} and {@link ExecutionException}.
	 * <p>
	 * Internal: not for use by applications; may change without notice.
	 * @param ex the failure
	 * @return the description
	 */
	public static String describe(Throwable ex) {
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

	private record PendingPublish(OutboundPublish publish, CompletableFuture<MqttPublishResult> future, long id) {
	}

	/**
	 * One subscription as sent in a SUBSCRIBE; compared by identity to tell a failure of an
	 * earlier SUBSCRIBE from the current one.
	 */
	private record SentSubscription(MqttSubscription subscription, int generation) {
	}

	private final class EngineCallbacks implements MqttEngine.Callbacks {

		@Override
		public void connected(boolean sessionPresent) {
			MqttClientManager manager = MqttClientManager.this;
			// Called on the thread that reads this connection, for its lifetime.
			manager.networkThread = Thread.currentThread();
			int generation = manager.connectionGeneration.incrementAndGet();
			boolean reconnect = manager.everConnected;
			if (reconnect) {
				manager.reconnects.incrementAndGet();
			}
			manager.everConnected = true;
			manager.sessionPresent = sessionPresent;
			manager.inFlight.setOutgoingWindow(manager.engine.sendMaximum());
			manager.reconnectAttempts = 0;
			manager.connectedSince = Instant.now();
			manager.state = MqttConnectionState.CONNECTED;
			runOnEventThread(() -> {
				logger.info("MQTT client '" + manager.name + "' (client id '" + getClientId() + "') connected to "
						+ getServerUri() + " (session present: " + sessionPresent + ")");
				connectedSubscriptions(sessionPresent, generation);
				drainOutbox(generation);
				publishEvent(new MqttConnectedEvent(manager, manager.name, getClientId(), sessionPresent, reconnect));
			});
		}

		@Override
		public long disconnected(Throwable reported, boolean byUser, int attempts) {
			MqttClientManager manager = MqttClientManager.this;
			Instant since = manager.connectedSince;
			Throwable cause = (since == null) ? explainClosedBeforeConnAck(reported) : reported;
			manager.connectionGeneration.incrementAndGet();
			manager.open = false;
			synchronized (manager.subscriptionMonitor) {
				manager.subscriptionsLive = false;
			}
			manager.connectedSince = null;
			// Failing fast, the first connection still tries every server of the list once
			// (HiveMQ counts the first connect as attempt 1).
			boolean giveUp = manager.settings.isFailFast() && !manager.everConnected
					&& attempts >= manager.settings.getServerUris().size();
			if (byUser || !manager.running || giveUp) {
				manager.state = MqttConnectionState.DISCONNECTED;
				return -1;
			}
			manager.lastDisconnectCause = cause;
			manager.lastDisconnectReason = HiveMqEngines.reason(cause);
			manager.state = MqttConnectionState.RECONNECTING;
			manager.reconnectAttempts = attempts + 1;
			if (since != null) {
				// Connections that die right after being established, again and again, mean
				// something kicks us off (another connection with our client id, a broker that
				// rejects what we send): keep backing off instead of reconnecting in a tight loop.
				boolean shortLived = Duration.between(since, Instant.now()).compareTo(FLAP_THRESHOLD) < 0;
				manager.flaps = shortLived ? manager.flaps + 1 : 0;
				// Only the broker closing them without a word looks like a take-over; a
				// connection this client closed on a protocol error, a reset by the network or
				// a DISCONNECT with another reason says something else.
				manager.silentBrokerCloses = (shortLived && HiveMqEngines.isClosedByBrokerWithoutDisconnect(cause))
						? manager.silentBrokerCloses + 1 : 0;
			}
			boolean takenOver = HiveMqEngines.isSessionTakenOver(cause);
			boolean suspected = !takenOver && since != null && manager.silentBrokerCloses >= FLAPS_BEFORE_WARNING;
			if (takenOver || suspected) {
				long count = manager.takeOvers.incrementAndGet();
				if (takenOver || manager.silentBrokerCloses == FLAPS_BEFORE_WARNING) {
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
			manager.publishGuard.connectionClosed(HiveMqEngines.offendingPublishQos(cause),
					manager.lastDisconnectReason);
			long delay = reconnectDelay(attempts + manager.flaps);
			// Read now: the engine moves on to the next server of the list right after this.
			URI server = getServerUri();
			runOnEventThread(() -> {
				String what = (attempts == 0 && manager.everConnected) ? "lost connection to" : "could not connect to";
				logger.warn("MQTT client '" + manager.name + "' (client id '" + getClientId() + "') " + what + " "
						+ server + ": " + describe(cause) + "; retrying in " + delay + " ms (attempt "
						+ (attempts + 1) + ")");
				publishEvent(new MqttConnectionLostEvent(manager, manager.name, getClientId(), cause, attempts));
			});
			return delay;
		}

		@Override
		public boolean discardSessionOnReconnect() {
			return MqttClientManager.this.publishGuard.takeDiscardSession();
		}

		@Override
		public void inboundFailed(Throwable cause) {
			MqttClientManager manager = MqttClientManager.this;
			String reason = describe(cause);
			manager.inboundFailures.incrementAndGet();
			manager.lastInboundFailure = reason;
			manager.inboundFailure = reason;
			runOnEventThread(() -> publishEvent(new MqttInboundFailedEvent(manager, manager.name, getClientId(), cause)));
		}

		@Override
		public void inboundRestored() {
			MqttClientManager.this.inboundFailure = null;
		}

		@Override
		public void serverSelected(URI serverUri) {
			MqttClientManager.this.currentServerUri = serverUri;
		}

	}

}
