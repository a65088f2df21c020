package io.mqttboot.core.engine;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttTopicFilter;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuthBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.unsubscribe.Mqtt3Unsubscribe;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRec;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.Mqtt5Unsubscribe;
import io.mqttboot.core.MqttClientCustomizer;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.MqttInFlightTracker;
import io.mqttboot.core.MqttInboundHandler;
import io.mqttboot.core.MqttPublishException;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.core.MqttTlsSettings;
import io.mqttboot.core.MqttVersion;
import io.mqttboot.core.OutboundPublish;
import io.reactivex.Completable;
import io.reactivex.Flowable;
import io.reactivex.FlowableSubscriber;
import io.reactivex.Single;
import io.reactivex.SingleObserver;
import io.reactivex.disposables.Disposable;
import io.reactivex.functions.Consumer;
import io.reactivex.internal.schedulers.NonBlockingThread;
import io.reactivex.schedulers.Schedulers;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

/**
 * Builds {@link MqttEngine} instances on the HiveMQ MQTT client, for MQTT 5 and 3.1.1.
 * <p>
 * Internal: not for use by applications; may change without notice.
 */
public final class HiveMqEngines {

	/**
	 * HiveMQ topic objects of recently published topic names, shared by all clients. The
	 * client validates and encodes a topic name each time it builds a PUBLISH from a string;
	 * reusing the result was a fifth of the publishing thread's time in benchmark B3.
	 */
	static final TopicCache TOPICS = new TopicCache(1024);

	private HiveMqEngines() {
	}

	/**
	 * Build the engine of one client; it connects on {@link MqttEngine#connect()}.
	 * @param settings the client settings, which also pick MQTT 5 or 3.1.1
	 * @param customizers customizers of the HiveMQ client builder, applied last
	 * @param callbacks the receiver of connection events
	 * @return the engine
	 */
	public static MqttEngine create(MqttClientSettings settings, List<MqttClientCustomizer> customizers,
			MqttEngine.Callbacks callbacks) {
		MqttClientBuilder builder = MqttClient.builder().identifier(settings.getClientId());
		MqttClientTransportConfigBuilder.Nested<? extends MqttClientBuilder> transport = builder.transportConfig()
			.serverHost(settings.getHost())
			.serverPort(settings.getPort())
			.socketConnectTimeout(settings.getConnectTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.mqttConnectTimeout(settings.getConnectTimeout().toMillis(), TimeUnit.MILLISECONDS);
		if (settings.isSecure()) {
			MqttTlsSettings tls = settings.getTls();
			if (tls == null) {
				transport.sslWithDefaultConfig();
			}
			else {
				MqttClientSslConfigBuilder.Nested<?> ssl = transport.sslConfig();
				if (tls.keyManagerFactory() != null) {
					ssl.keyManagerFactory(tls.keyManagerFactory());
				}
				if (tls.trustManagerFactory() != null) {
					ssl.trustManagerFactory(tls.trustManagerFactory());
				}
				if (!tls.protocols().isEmpty()) {
					ssl.protocols(tls.protocols());
				}
				if (!tls.cipherSuites().isEmpty()) {
					ssl.cipherSuites(tls.cipherSuites());
				}
				if (!tls.verifyHostname()) {
					ssl.hostnameVerifier((hostname, session) -> true);
				}
				ssl.applySslConfig();
			}
		}
		if (settings.isWebSocket()) {
			transport.webSocketConfig().serverPath(webSocketPath(settings.getServerUri())).applyWebSocketConfig();
		}
		transport.applyTransportConfig();
		Closing closing = new Closing();
		builder.addDisconnectedListener((context) -> onDisconnected(context, settings, callbacks, closing));
		// By default incoming messages and acknowledgements are handled where they are read,
		// on the network thread, instead of being handed to RxJava's computation pool first
		// (the client's default): what the starter does with them there only hands off
		// (listeners run on their own threads) or completes a future, and the hop cost the
		// network thread a wake-up per message. With listeners on virtual threads the hop
		// is kept: waking a virtual thread is a fork-join submission, which would then be
		// the network thread's work. See docs/design.md §8b. A customizer can set another
		// scheduler.
		builder.executorConfig()
			.applicationScheduler(
					settings.isCallbacksOnNetworkThread() ? Schedulers.trampoline() : Schedulers.computation())
			.applyExecutorConfig();
		for (MqttClientCustomizer customizer : customizers) {
			customizer.customize(builder);
		}
		return (settings.getVersion() == MqttVersion.MQTT_3_1_1) ? new Mqtt3Engine(settings, builder, callbacks, closing)
				: new Mqtt5Engine(settings, builder, callbacks, closing);
	}

	private static void onDisconnected(MqttClientDisconnectedContext context, MqttClientSettings settings,
			MqttEngine.Callbacks callbacks, Closing closing) {
		boolean byUser = context.getSource() == MqttDisconnectSource.USER;
		long delay = callbacks.disconnected(context.getCause(), byUser, context.getReconnector().getAttempts());
		if (closing.isClosed()) {
			// Disconnected after stop (a connect attempt that was under way ended): no
			// reconnect, so that HiveMQ releases the client's event loop.
			closing.connectEnded();
			return;
		}
		if (delay >= 0) {
			// Dropping the session state is the only way to make the client forget a message
			// the broker will never acknowledge (MqttPublishGuard); the manager publishes the
			// other ones again when they fail with the session.
			boolean discard = callbacks.discardSessionOnReconnect();
			MqttClientReconnector reconnector = context.getReconnector();
			reconnector.reconnect(true)
				// The session may be gone (broker restart, expiry): resend what was in flight so
				// that nothing is silently lost. The manager resubscribes itself, so that it sees
				// every SUBACK; the inbound flow HiveMQ then ends is renewed by InboundFlow.
				.resubscribeIfSessionExpired(false)
				.republishIfSessionExpired(!discard)
				// The back-off is a gate that disconnect() opens early rather than HiveMQ's own
				// delay: HiveMQ cannot disconnect a client that waits to reconnect, and its
				// pending attempt holds the client's event loop thread (not a daemon) until
				// it runs. A stopped client drops the attempt at once instead.
				.delay(0, TimeUnit.MILLISECONDS)
				.reconnectWhen(closing.reconnectGate(delay), (ignored, ex) -> {
					if (closing.isClosed()) {
						reconnector.reconnect(false);
					}
				});
			nextServer(reconnector, settings, callbacks);
			if (context instanceof Mqtt5ClientDisconnectedContext context5) {
				// A reconnect must resume the session rather than wipe it [MQTT-3.1.2-5]; whether
				// it outlives the connection is governed by the session expiry interval.
				var reconnector5 = context5.getReconnector();
				reconnector5.connect(reconnector5.getConnect().extend().cleanStart(discard).build());
			}
			else if (context instanceof Mqtt3ClientDisconnectedContext context3 && !settings.isCleanStart()) {
				// HiveMQ derives the next CONNECT from the last one, so a persistent session
				// has to be asked for again after a clean one.
				var reconnector3 = context3.getReconnector();
				reconnector3.connect(reconnector3.getConnect().extend().cleanSession(discard).build());
			}
		}
	}

	/**
	 * Point the next connect attempt at the server after the current one in
	 * {@link MqttClientSettings#getServerUris()}, wrapping around, when there is more than
	 * one: a lost connection or a failed attempt moves on to the next node of a cluster,
	 * with the back-off the reconnector was given. Only host, port and WebSocket path
	 * change; TLS and anything a customizer set on the transport stay.
	 * @param reconnector the reconnector of the disconnected listener
	 * @param settings the settings
	 * @param callbacks told which server is next
	 */
	static void nextServer(MqttClientReconnector reconnector, MqttClientSettings settings,
			MqttEngine.Callbacks callbacks) {
		List<URI> servers = settings.getServerUris();
		if (servers.size() < 2) {
			return;
		}
		MqttClientTransportConfig transport = reconnector.getTransportConfig();
		InetSocketAddress address = transport.getServerAddress();
		int current = -1;
		for (int i = 0; i < servers.size() && current < 0; i++) {
			URI server = servers.get(i);
			if (address.getPort() == port(server) && address.getHostString().equalsIgnoreCase(server.getHost())) {
				current = i;
			}
		}
		URI next = servers.get((current + 1) % servers.size());
		MqttClientTransportConfigBuilder builder = transport.extend().serverHost(next.getHost()).serverPort(port(next));
		transport.getWebSocketConfig().ifPresent((webSocket) -> builder
			.webSocketConfig(webSocket.extend().serverPath(webSocketPath(next)).build()));
		reconnector.transportConfig(builder.build());
		callbacks.serverSelected(next);
	}

	private static int port(URI server) {
		return MqttClientSettings.portOf(server);
	}

	private static String webSocketPath(URI server) {
		String path = server.getRawPath();
		return (path != null && !path.isEmpty()) ? path : "mqtt";
	}

	/**
	 * Return which message a connection was closed for, when the cause says it was the
	 * broker's answer to a message: a PUBACK for a QoS 2 PUBLISH (RabbitMQ 3.10) or a
	 * PUBREC or PUBCOMP for a QoS 1 one, which the client treats as a protocol error, or
	 * an MQTT 5 DISCONNECT for a message the broker does not accept.
	 * @param cause the cause reported by the client
	 * @return the QoS of the message concerned, {@code 0} for a message of any QoS, or
	 * {@code -1} when the cause does not concern a message
	 */
	public static int offendingPublishQos(Throwable cause) {
		if (cause instanceof Mqtt5DisconnectException disconnect) {
			switch (disconnect.getMqttMessage().getReasonCode()) {
				case QOS_NOT_SUPPORTED, PACKET_TOO_LARGE, PAYLOAD_FORMAT_INVALID, RETAIN_NOT_SUPPORTED,
						TOPIC_NAME_INVALID:
					return 0;
				default:
			}
		}
		for (Throwable current = cause; current != null; current = current.getCause()) {
			String message = current.getMessage();
			if (message != null && message.contains("must not be received for a QoS 2 PUBLISH")) {
				return 2;
			}
			if (message != null && message.contains("must not be received for a QoS 1 PUBLISH")) {
				return 1;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return -1;
	}

	/**
	 * Return whether a thread is one of RxJava's computation threads, where a client whose
	 * callbacks are not on its network thread hands on incoming messages and
	 * acknowledgements (and completes its futures). Like the network thread, such a thread
	 * must not block: what a blocking call waits for may have to come through it.
	 * @param thread the thread
	 * @return whether it is a computation thread
	 */
	public static boolean isComputationThread(Thread thread) {
		return thread instanceof NonBlockingThread;
	}

	/**
	 * Return whether a publish failed because the client dropped its session state.
	 * @param ex the failure
	 * @return whether the session expired
	 */
	public static boolean isSessionExpired(Throwable ex) {
		// MQTT 5 results carry the error, which Mqtt5Engine wraps in a MqttPublishException.
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof MqttSessionExpiredException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Describe why a connection ended, with the MQTT 5 reason code and string when the
	 * broker sent a CONNACK or DISCONNECT with one.
	 * @param cause the cause reported by the client
	 * @return the description
	 */
	public static String reason(Throwable cause) {
		if (cause instanceof Mqtt5ConnAckException connAck) {
			var message = connAck.getMqttMessage();
			return "CONNACK " + message.getReasonCode() + " (0x" + Integer.toHexString(message.getReasonCode().getCode())
					+ ")" + message.getReasonString().map((reason) -> ": " + reason).orElse("");
		}
		if (cause instanceof Mqtt5DisconnectException disconnect) {
			var message = disconnect.getMqttMessage();
			return "DISCONNECT " + message.getReasonCode() + " (0x"
					+ Integer.toHexString(message.getReasonCode().getCode()) + ")"
					+ message.getReasonString().map((reason) -> ": " + reason).orElse("");
		}
		if (cause instanceof Mqtt3ConnAckException connAck) {
			return "CONNACK " + connAck.getMqttMessage().getReturnCode();
		}
		return MqttClientManager.describe(cause);
	}

	/**
	 * Return whether the broker closed the connection because another connection with the
	 * same client identifier took the session over (MQTT 5 DISCONNECT reason 0x8E
	 * [MQTT-3.1.4-3]).
	 * @param cause the cause reported by the client
	 * @return whether the session was taken over
	 */
	public static boolean isSessionTakenOver(Throwable cause) {
		return cause instanceof Mqtt5DisconnectException disconnect
				&& disconnect.getMqttMessage().getReasonCode() == Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER;
	}

	private static final String SERVER_CLOSED_WITHOUT_DISCONNECT = "Server closed connection without DISCONNECT.";

	/**
	 * Return whether the broker closed the connection without sending DISCONNECT (on MQTT
	 * 3.1.1 always; on MQTT 5 what mosquitto 2.0 does to the older of two connections with
	 * one client identifier). Not a reset by the network, not a DISCONNECT the broker sent
	 * with another reason, and not a connection this client closed itself, for example on a
	 * protocol error of the broker.
	 * @param cause the cause reported by the client
	 * @return whether the broker closed the connection without a word
	 */
	public static boolean isClosedByBrokerWithoutDisconnect(Throwable cause) {
		// HiveMQ 1.4.2 reports it with exactly this exception and message
		// (MqttDisconnectHandler.channelInactive); client-side closes carry their own reason.
		return cause instanceof ConnectionClosedException && cause.getCause() == null
				&& SERVER_CLOSED_WITHOUT_DISCONNECT.equals(cause.getMessage());
	}

	/**
	 * Return the keep-alive to announce in CONNECT for the configured one, so that a dead
	 * link (socket open, no bytes) is noticed within 1.5 times the configured keep-alive,
	 * the bound the broker applies to the client [MQTT-3.1.2-24].
	 * <p>
	 * The HiveMQ client sends PINGREQ after {@code k - 0.1 s} without traffic and closes
	 * the connection only when nothing arrived another {@code k - 0.1 s} later, so it
	 * notices a frozen link up to {@code 2k - 0.2 s} after the last byte it read: 3.8 s
	 * for a 2 s keep-alive (measured in {@code FrozenLinkIntegrationTests}). Announcing
	 * {@code k = floor((3K - 2) / 4)} seconds for a configured {@code K} keeps that within
	 * {@code 1.5K - 1.2 s}: 1 s for K = 2 (detection within 1.8 s), 3 s for 5, 7 s for 10,
	 * 44 s for 60. The broker, which closes a silent connection after 1.5k, then notices
	 * a dead client sooner too. A keep-alive of 1 s cannot be shortened: detection takes
	 * up to 1.8 s. Zero (keep-alive off) stays off. When an MQTT 5 broker imposes its own
	 * server keep-alive in CONNACK, the client uses that one instead.
	 * @param keepAlive the configured keep-alive
	 * @return the keep-alive in seconds to send in CONNECT
	 */
	static int announcedKeepAlive(Duration keepAlive) {
		long seconds = keepAlive.toSeconds();
		if (seconds <= 1) {
			return (int) seconds;
		}
		return (int) Math.max(1, (3 * seconds - 2) / 4);
	}

	/**
	 * End the flow of incoming messages of an engine as HiveMQ would on an unexpected
	 * error. Only for tests, which have no other way to make a flow fail.
	 * @param engine the engine
	 * @param ex the error
	 */
	public static void failInboundForTesting(MqttEngine engine, Throwable ex) {
		if (engine instanceof HiveMqEngine<?> hiveMq) {
			hiveMq.inbound.failForTesting(ex);
		}
	}

	/**
	 * Whether {@link MqttEngine#disconnect()} was called since the last
	 * {@link MqttEngine#connect()}, and what a stopped client still has to let go of.
	 * <p>
	 * HiveMQ disconnects only a connected client: while it connects or waits to reconnect,
	 * its {@code disconnect()} fails and the attempt goes on, holding the client's Netty
	 * event loop thread, which is not a daemon. A connection it then establishes stays
	 * open, and the JVM never exits. So a stopped client closes a connection that comes up
	 * after the stop, declines to reconnect, and opens the back-off gate of a pending
	 * attempt at once.
	 */
	static final class Closing {

		private boolean closed;

		private @Nullable CompletableFuture<Void> reconnectGate;

		private CompletableFuture<Void> connectEnded = CompletableFuture.completedFuture(null);

		synchronized void open() {
			this.closed = false;
		}

		synchronized boolean isClosed() {
			return this.closed;
		}

		/**
		 * Mark the client stopped and open the back-off gate of a pending reconnect.
		 * @return a future that {@link #connectEnded()} completes, for a connect attempt
		 * that may be under way
		 */
		synchronized CompletableFuture<Void> close() {
			this.closed = true;
			if (this.connectEnded.isDone()) {
				this.connectEnded = new CompletableFuture<>();
			}
			CompletableFuture<Void> gate = this.reconnectGate;
			this.reconnectGate = null;
			if (gate != null) {
				gate.complete(null);
			}
			return this.connectEnded;
		}

		/**
		 * Called when a connect attempt under way at {@link #close()} ended: refused,
		 * failed, or connected and disconnected again.
		 */
		void connectEnded() {
			CompletableFuture<Void> ended;
			synchronized (this) {
				ended = this.connectEnded;
			}
			ended.complete(null);
		}

		/**
		 * Return the gate a reconnect waits for: open after the back-off, or at once when
		 * the client is (or gets) stopped.
		 * @param delayMillis the back-off
		 * @return the gate
		 */
		synchronized CompletableFuture<Void> reconnectGate(long delayMillis) {
			CompletableFuture<Void> gate = new CompletableFuture<>();
			if (this.closed || delayMillis <= 0) {
				gate.complete(null);
			}
			else {
				gate.completeOnTimeout(null, delayMillis, TimeUnit.MILLISECONDS);
				this.reconnectGate = gate;
			}
			return gate;
		}

	}

	/**
	 * SUBSCRIBE and UNSUBSCRIBE packets the broker has not answered yet.
	 * <p>
	 * HiveMQ keeps an unanswered one with the session state after the connection closed,
	 * for a session that outlives it (MQTT 5 with a session expiry, MQTT 3.1.1 without
	 * clean session), and each one holds the client's event loop thread until it is
	 * answered or the session expires on the client: five and a half minutes with the
	 * default session expiry of five minutes, never on MQTT 3.1.1. A stopped client
	 * cancels them, through the Rx API, whose subscriptions can be disposed (cancelling
	 * a future of the asynchronous API does not reach HiveMQ when it was mapped).
	 */
	static final class PendingAcks {

		private final Set<PendingAck<?>> pending = ConcurrentHashMap.newKeySet();

		/**
		 * Send a packet and track it until its acknowledgement or {@link #cancelAll()}.
		 * @param <A> the acknowledgement type
		 * @param packet the Rx single that sends the packet when subscribed
		 * @return a future of the acknowledgement
		 */
		<A> CompletableFuture<A> send(Single<A> packet) {
			PendingAck<A> ack = new PendingAck<>();
			this.pending.add(ack);
			packet.subscribe(ack);
			return ack.future;
		}

		/**
		 * Cancel every packet that is not answered yet; its future fails with a
		 * {@link CancellationException}.
		 */
		void cancelAll() {
			for (PendingAck<?> ack : this.pending) {
				ack.cancel();
			}
		}

		private final class PendingAck<A> implements SingleObserver<A> {

			final CompletableFuture<A> future = new CompletableFuture<>();

			private @Nullable Disposable disposable;

			private boolean cancelled;

			@Override
			public void onSubscribe(Disposable disposable) {
				boolean dispose;
				synchronized (this) {
					this.disposable = disposable;
					dispose = this.cancelled;
				}
				if (dispose) {
					disposable.dispose();
				}
			}

			@Override
			public void onSuccess(A ack) {
				PendingAcks.this.pending.remove(this);
				this.future.complete(ack);
			}

			@Override
			public void onError(Throwable ex) {
				PendingAcks.this.pending.remove(this);
				this.future.completeExceptionally(ex);
			}

			void cancel() {
				Disposable disposable;
				synchronized (this) {
					this.cancelled = true;
					disposable = this.disposable;
				}
				if (disposable != null) {
					disposable.dispose();
				}
				PendingAcks.this.pending.remove(this);
				this.future.completeExceptionally(
						new CancellationException("the client stopped before the broker answered"));
			}

		}

	}

	static MqttQos qos(int qos) {
		return switch (qos) {
			case 0 -> MqttQos.AT_MOST_ONCE;
			case 1 -> MqttQos.AT_LEAST_ONCE;
			case 2 -> MqttQos.EXACTLY_ONCE;
			default -> throw new IllegalArgumentException("QoS must be 0, 1 or 2 but was " + qos);
		};
	}

	/**
	 * What the MQTT 5 and 3.1.1 engines share: the inbound flow and its renewal on every
	 * CONNACK, the Will, unsubscribing and disconnecting. The versions differ only in how
	 * they connect, publish, subscribe and read an incoming PUBLISH.
	 *
	 * @param <P> the PUBLISH type of the protocol version
	 */
	abstract static sealed class HiveMqEngine<P> implements MqttEngine permits Mqtt5Engine, Mqtt3Engine {

		final MqttClientSettings settings;

		final InboundFlow<P> inbound;

		final PendingAcks acks = new PendingAcks();

		private final Closing closing;

		HiveMqEngine(MqttClientSettings settings, MqttClientBuilder builder, MqttEngine.Callbacks callbacks,
				Closing closing) {
			this.settings = settings;
			this.closing = closing;
			this.inbound = new InboundFlow<>(settings.getClientId(), this::publishes, callbacks);
			builder.addConnectedListener((context) -> {
				if (closing.isClosed()) {
					// Stopped while this connection was being established, which HiveMQ could
					// not cancel: close it (queued on the event loop, after this listener).
					sendDisconnect().whenComplete((ignored, ex) -> closing.connectEnded());
					return;
				}
				boolean sessionPresent = connAckReceived(context);
				this.inbound.connected(sessionPresent);
				callbacks.connected(sessionPresent);
			});
		}

		/**
		 * Read the CONNACK of a new connection.
		 * @param context the context of the connected listener
		 * @return the CONNACK's session-present flag
		 */
		abstract boolean connAckReceived(MqttClientConnectedContext context);

		/**
		 * Return a new flow of every incoming PUBLISH, acknowledged manually.
		 * @return the flow
		 */
		abstract Flowable<P> publishes();

		/**
		 * Build a PUBLISH of this protocol version.
		 * @param topic the topic name
		 * @param payload the payload
		 * @param qos the QoS
		 * @param retain whether the broker is to retain it
		 * @return the PUBLISH
		 */
		abstract P message(MqttTopic topic, byte[] payload, int qos, boolean retain);

		/**
		 * Turn an incoming PUBLISH into the message handed to the inbound handler.
		 * @param clientName the name of the client
		 * @param publish the PUBLISH
		 * @param qos its QoS
		 * @param acknowledgement what acknowledges it
		 * @return the message
		 */
		abstract MqttReceivedMessage received(String clientName, P publish, int qos, Runnable acknowledgement);

		abstract int qosOf(P publish);

		abstract void acknowledge(P publish);

		abstract CompletableFuture<Boolean> sendConnect();

		abstract CompletableFuture<Void> sendUnsubscribe(List<MqttTopicFilter> filters);

		abstract CompletableFuture<Void> sendDisconnect();

		abstract MqttClientState clientState();

		/**
		 * Return the Will of the settings as a PUBLISH, at most at the configured maximum QoS.
		 * @return the Will, or {@code null} when there is none
		 */
		final @Nullable P willPublish() {
			MqttClientSettings.Will will = this.settings.getWill();
			return (will != null) ? message(MqttTopic.of(will.topic()), will.payload(),
					Math.min(will.qos(), this.settings.getMaxQos()), will.retain()) : null;
		}

		@Override
		public final CompletableFuture<Boolean> connect() {
			this.closing.open();
			this.inbound.start();
			return sendConnect();
		}

		@Override
		public final void setInboundHandler(String clientName, MqttInboundHandler handler,
				MqttInFlightTracker tracker) {
			this.inbound.setConsumer((publish) -> {
				int qos = qosOf(publish);
				tracker.incomingStarted(qos);
				handler.onMessage(received(clientName, publish, qos, () -> {
					acknowledge(publish);
					tracker.incomingCompleted(qos);
				}));
			});
		}

		@Override
		public final CompletableFuture<Void> unsubscribe(List<String> filters) {
			if (filters.isEmpty()) {
				return CompletableFuture.completedFuture(null);
			}
			return sendUnsubscribe(filters.stream().map(MqttTopicFilter::of).toList());
		}

		@Override
		public final CompletableFuture<Void> disconnect() {
			// Closed first, then the state read: a CONNACK after this point finds the
			// client closed, one before it left the client CONNECTED.
			CompletableFuture<Void> connectEnded = this.closing.close();
			MqttClientState state = clientState();
			CompletableFuture<Void> closed = (state == MqttClientState.CONNECTING
					|| state == MqttClientState.CONNECTING_RECONNECT) ? connectEnded : sendDisconnect();
			return closed.whenComplete((ignored, ex) -> {
				this.inbound.stop();
				this.acks.cancelAll();
			});
		}

	}

	/**
	 * MQTT 5 engine.
	 */
	static final class Mqtt5Engine extends HiveMqEngine<Mqtt5Publish> {

		private final Mqtt5AsyncClient client;

		private volatile int maximumQos = 2;

		private volatile int sendMaximum = MqttInFlightTracker.UNLIMITED_WINDOW;

		Mqtt5Engine(MqttClientSettings settings, MqttClientBuilder builder, MqttEngine.Callbacks callbacks,
				Closing closing) {
			super(settings, builder, callbacks, closing);
			Mqtt5ClientBuilder builder5 = builder.useMqttVersion5();
			String username = settings.getUsername();
			String password = settings.getPassword();
			if (username != null || password != null) {
				Mqtt5SimpleAuthBuilder auth = Mqtt5SimpleAuth.builder();
				Mqtt5SimpleAuthBuilder.Complete complete = (username != null) ? auth.username(username)
						: auth.password(password.getBytes(StandardCharsets.UTF_8));
				if (username != null && password != null) {
					complete = complete.password(password.getBytes(StandardCharsets.UTF_8));
				}
				builder5.simpleAuth(complete.build());
			}
			this.client = builder5.willPublish(willPublish()).buildAsync();
		}

		@Override
		boolean connAckReceived(MqttClientConnectedContext context) {
			var connAck = ((Mqtt5ClientConnectedContext) context).getConnAck();
			this.maximumQos = connAck.getRestrictions().getMaximumQos().getCode();
			this.sendMaximum = connAck.getRestrictions().getReceiveMaximum();
			return connAck.isSessionPresent();
		}

		@Override
		Flowable<Mqtt5Publish> publishes() {
			return this.client.toRx().publishes(MqttGlobalPublishFilter.ALL, true);
		}

		@Override
		public int maximumQos() {
			return this.maximumQos;
		}

		@Override
		public int sendMaximum() {
			return this.sendMaximum;
		}

		@Override
		CompletableFuture<Boolean> sendConnect() {
			// HiveMQ leaves a receive maximum of 65,535 (the protocol default) out of CONNECT.
			return this.client.connectWith()
				.cleanStart(this.settings.isCleanStart())
				.sessionExpiryInterval(this.settings.getSessionExpiry().toSeconds())
				.keepAlive(announcedKeepAlive(this.settings.getKeepAlive()))
				.restrictions()
				.receiveMaximum(this.settings.getReceiveMaximum())
				.applyRestrictions()
				.send()
				.thenApply((connAck) -> connAck.isSessionPresent());
		}

		private static Mqtt5PublishBuilder.Complete builder(MqttTopic topic, byte[] payload, int qos,
				boolean retain) {
			return Mqtt5Publish.builder().topic(topic).payload(payload).qos(qos(qos)).retain(retain);
		}

		@Override
		Mqtt5Publish message(MqttTopic topic, byte[] payload, int qos, boolean retain) {
			return builder(topic, payload, qos, retain).build();
		}

		@Override
		public CompletableFuture<MqttPublishResult> publish(OutboundPublish publish) {
			Mqtt5PublishBuilder.Complete builder = builder(TOPICS.get(publish.topic()), publish.payload(),
					publish.qos(), publish.retain());
			if (publish.hasMqtt5Properties()) {
				if (!publish.userProperties().isEmpty()) {
					Mqtt5UserPropertiesBuilder properties = com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties
						.builder();
					for (Map.Entry<String, String> property : publish.userProperties()) {
						properties.add(property.getKey(), property.getValue());
					}
					builder.userProperties(properties.build());
				}
				if (publish.contentType() != null) {
					builder.contentType(publish.contentType());
				}
				if (publish.responseTopic() != null) {
					builder.responseTopic(publish.responseTopic());
				}
				if (publish.correlationData() != null) {
					builder.correlationData(publish.correlationData());
				}
				if (publish.messageExpiry() != null) {
					builder.messageExpiryInterval(publish.messageExpiry().toSeconds());
				}
				if (publish.utf8Payload()) {
					builder.payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8);
				}
			}
			return this.client.publish(builder.build()).thenApply((result) -> toResult(publish, result));
		}

		private static MqttPublishResult toResult(OutboundPublish publish, Mqtt5PublishResult result) {
			if (result.getError().isPresent()) {
				throw new MqttPublishException(publish.topic(), "Failed to publish to topic '" + publish.topic()
						+ "': " + result.getError().get().getMessage(), result.getError().get());
			}
			int reasonCode = 0;
			String reasonString = null;
			if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1) {
				Mqtt5PubAck ack = qos1.getPubAck();
				reasonCode = ack.getReasonCode().getCode();
				reasonString = ack.getReasonString().map(Object::toString).orElse(null);
			}
			else if (result instanceof Mqtt5PublishResult.Mqtt5Qos2Result qos2) {
				Mqtt5PubRec rec = qos2.getPubRec();
				reasonCode = rec.getReasonCode().getCode();
				reasonString = rec.getReasonString().map(Object::toString).orElse(null);
			}
			return new MqttPublishResult(publish.topic(), publish.qos(), publish.retain(), reasonCode, reasonString);
		}

		@Override
		int qosOf(Mqtt5Publish publish) {
			return publish.getQos().getCode();
		}

		@Override
		void acknowledge(Mqtt5Publish publish) {
			publish.acknowledge();
		}

		@Override
		MqttReceivedMessage received(String clientName, Mqtt5Publish publish, int qos, Runnable acknowledgement) {
			List<Map.Entry<String, String>> userProperties = publish.getUserProperties().asList().isEmpty() ? List.of()
					: publish.getUserProperties()
						.asList()
						.stream()
						.map((property) -> Map.entry(property.getName().toString(), property.getValue().toString()))
						.toList();
			byte[] correlationData = publish.getCorrelationData().map(HiveMqEngines::bytes).orElse(null);
			Duration expiry = publish.getMessageExpiryInterval().isPresent()
					? Duration.ofSeconds(publish.getMessageExpiryInterval().getAsLong()) : null;
			return new MqttReceivedMessage(clientName, publish.getTopic().toString(), publish.getPayloadAsBytes(), qos,
					publish.isRetain(), userProperties, publish.getContentType().map(Object::toString).orElse(null),
					publish.getResponseTopic().map(Object::toString).orElse(null), correlationData, expiry,
					publish.getPayloadFormatIndicator().orElse(null) == Mqtt5PayloadFormatIndicator.UTF_8,
					acknowledgement);
		}

		@Override
		public CompletableFuture<List<Integer>> subscribe(List<MqttSubscription> subscriptions) {
			List<Mqtt5Subscription> mqtt5 = subscriptions.stream()
				.map((subscription) -> Mqtt5Subscription.builder()
					.topicFilter(subscription.filter())
					.qos(qos(subscription.qos()))
					.noLocal(subscription.noLocal())
					.retainAsPublished(subscription.retainAsPublished())
					.retainHandling(Mqtt5RetainHandling.fromCode(subscription.retainHandling()))
					.build())
				.toList();
			return reasonCodes(
					this.acks.send(this.client.toRx().subscribe(Mqtt5Subscribe.builder().addSubscriptions(mqtt5).build())),
					(ex) -> (ex instanceof Mqtt5SubAckException failed) ? failed.getMqttMessage() : null,
					(subAck) -> subAck.getReasonCodes().stream().map((code) -> code.getCode()).toList());
		}

		@Override
		CompletableFuture<Void> sendUnsubscribe(List<MqttTopicFilter> filters) {
			return this.acks.send(this.client.toRx().unsubscribe(Mqtt5Unsubscribe.builder().addTopicFilters(filters).build()))
				.thenApply((ack) -> null);
		}

		@Override
		CompletableFuture<Void> sendDisconnect() {
			return this.client.disconnect();
		}

		@Override
		MqttClientState clientState() {
			return this.client.getState();
		}

	}

	/**
	 * The subscription of the inbound handler to every incoming PUBLISH of a client.
	 * <p>
	 * It must be cancelled when the client stops: an open HiveMQ publish flow holds on to
	 * the client's share of HiveMQ's Netty event loop group, whose threads
	 * ({@code com.hivemq.client.mqtt-*}) then outlive every client (one thread per stopped
	 * client, up to the group size). The asynchronous API's {@code publishes(filter,
	 * callback)} cannot be cancelled, hence the Rx flowable; it delivers on HiveMQ's
	 * application scheduler rather than a Netty thread, which the inbound handler does not
	 * mind (it never blocks).
	 * <p>
	 * It must be renewed when the session ends: HiveMQ then fails every publish flow with
	 * {@code MqttSessionExpiredException}, and a client without a flow acknowledges and
	 * drops every message it receives. A clean session (the default) ends with every
	 * connection, a persistent one when the broker lost it.
	 * <p>
	 * It is renewed as well when it ends in any other way (an error nobody expects, or
	 * completion): at once the first time, then after a back-off of 1 s doubling up to
	 * 30 s while it keeps ending within {@link #STABLE_FOR} of its renewal, so that a flow
	 * that fails for good cannot spin. Until renewed the client reports the failure
	 * through {@link MqttEngine.Callbacks#inboundFailed}, which makes health DOWN.
	 *
	 * @param <T> the PUBLISH type of the protocol version
	 */
	static final class InboundFlow<T> {

		private static final Log logger = LogFactory.getLog(InboundFlow.class);

		/**
		 * How long a renewed flow must live for its next failure to be renewed at once
		 * again rather than after a back-off.
		 */
		static final Duration STABLE_FOR = Duration.ofSeconds(10);

		private static final Duration MAX_RENEWAL_DELAY = Duration.ofSeconds(30);

		private final String clientId;

		private final Supplier<Flowable<T>> publishes;

		private final MqttEngine.Callbacks callbacks;

		private @Nullable Consumer<T> consumer;

		private @Nullable InboundSubscriber subscriber;

		private boolean connectedBefore;

		private boolean active;

		private boolean failed;

		private int consecutiveFailures;

		private long renewedAt;

		private int renewals;

		InboundFlow(String clientId, Supplier<Flowable<T>> publishes, MqttEngine.Callbacks callbacks) {
			this.clientId = clientId;
			this.publishes = publishes;
			this.callbacks = callbacks;
		}

		/**
		 * Set the consumer; it is subscribed by {@link #start()}.
		 * @param consumer the consumer of every incoming PUBLISH, acknowledged manually
		 */
		synchronized void setConsumer(Consumer<T> consumer) {
			this.consumer = consumer;
		}

		/**
		 * Subscribe, unless subscribed already; call before connecting, so that messages
		 * of a resumed session are not missed (HiveMQ registers the flow on the event loop
		 * that then runs the connect).
		 */
		synchronized void start() {
			this.active = true;
			subscribe();
		}

		private void subscribe() {
			Consumer<T> consumer = this.consumer;
			if (consumer != null && this.subscriber == null) {
				InboundSubscriber subscriber = new InboundSubscriber(consumer);
				this.subscriber = subscriber;
				this.publishes.get().subscribe(subscriber);
				if (this.failed && this.subscriber == subscriber) {
					this.failed = false;
					logger.info("MQTT client id '" + this.clientId + "' receives messages again");
					this.callbacks.inboundRestored();
				}
			}
		}

		/**
		 * Called on the event loop when a CONNACK arrived, before the client resubscribes.
		 * Without a session present, HiveMQ ended the previous session and with it this
		 * flow, but the flow's error reaches {@link #ended} later, on another thread, and
		 * messages of the new session arriving meanwhile find no flow: HiveMQ acknowledges
		 * them unseen (benchmark B7 lost 100 to 1,087 messages per reconnect that way).
		 * Replace the flow right here, before any SUBSCRIBE of the new session is sent.
		 * @param sessionPresent the CONNACK's session-present flag
		 */
		synchronized void connected(boolean sessionPresent) {
			boolean firstConnection = !this.connectedBefore;
			this.connectedBefore = true;
			if (sessionPresent || firstConnection) {
				// The flow registered before the first CONNECT belongs to this session.
				return;
			}
			InboundSubscriber subscriber = this.subscriber;
			this.subscriber = null;
			if (subscriber != null) {
				subscriber.cancel();
			}
			subscribe();
		}

		/**
		 * Cancel the subscription, once the client is disconnected: unacknowledged
		 * messages stay with the broker's session.
		 */
		synchronized void stop() {
			this.active = false;
			this.renewals++;
			if (this.failed) {
				// A stopped client receives nothing anyway; the next start subscribes again.
				this.failed = false;
				this.callbacks.inboundRestored();
			}
			InboundSubscriber subscriber = this.subscriber;
			this.subscriber = null;
			if (subscriber != null) {
				subscriber.cancel();
			}
		}

		private synchronized void ended(InboundSubscriber subscriber, @Nullable Throwable ex) {
			if (subscriber != this.subscriber) {
				// Cancelled by stop(): the session ending with the last connection is expected.
				return;
			}
			this.subscriber = null;
			if (ex instanceof MqttSessionExpiredException) {
				// The next connection starts a new session: be there before its first message.
				logger.debug("MQTT client id '" + this.clientId + "': session ended (" + ex.getMessage()
						+ "); subscribing to incoming messages of the next session");
				subscribe();
				return;
			}
			// Without a flow HiveMQ acknowledges every incoming message unseen: renew it, and
			// say so loudly until it is renewed.
			Throwable cause = (ex != null) ? ex
					: new IllegalStateException("the flow of incoming messages completed unexpectedly");
			long now = System.nanoTime();
			boolean stable = this.consecutiveFailures == 0 || now - this.renewedAt >= STABLE_FOR.toNanos();
			this.consecutiveFailures = stable ? 1 : this.consecutiveFailures + 1;
			long delayMillis = stable ? 0
					: Math.min(MAX_RENEWAL_DELAY.toMillis(), 1000L << Math.min(this.consecutiveFailures - 2, 5));
			logger.error("MQTT client id '" + this.clientId + "' stopped receiving messages: "
					+ MqttClientManager.describe(cause) + "; messages arriving meanwhile are acknowledged without"
					+ " being delivered. Subscribing again " + ((delayMillis == 0) ? "now"
							: "in " + delayMillis + " ms (failure " + this.consecutiveFailures + " in a row)"),
					ex);
			this.failed = true;
			this.callbacks.inboundFailed(cause);
			if (delayMillis == 0) {
				renew(this.renewals);
			}
			else {
				int renewal = this.renewals;
				CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> renew(renewal));
			}
		}

		private synchronized void renew(int renewal) {
			if (!this.active || renewal != this.renewals || this.subscriber != null) {
				// Stopped or renewed meanwhile.
				return;
			}
			this.renewals++;
			this.renewedAt = System.nanoTime();
			subscribe();
		}

		/**
		 * End the flow as HiveMQ would on an unexpected error: HiveMQ drops the flow, then
		 * signals the error. Only for tests, which have no other way to make a flow fail.
		 * @param ex the error to signal
		 */
		void failForTesting(Throwable ex) {
			InboundSubscriber subscriber;
			synchronized (this) {
				subscriber = this.subscriber;
			}
			if (subscriber != null) {
				Subscription subscription = subscriber.subscription;
				if (subscription != null) {
					subscription.cancel();
				}
				subscriber.onError(ex);
			}
		}

		private final class InboundSubscriber implements FlowableSubscriber<T> {

			private final Consumer<T> consumer;

			private volatile @Nullable Subscription subscription;

			private volatile boolean cancelled;

			InboundSubscriber(Consumer<T> consumer) {
				this.consumer = consumer;
			}

			@Override
			public void onSubscribe(Subscription subscription) {
				this.subscription = subscription;
				if (this.cancelled) {
					subscription.cancel();
					return;
				}
				subscription.request(Long.MAX_VALUE);
			}

			@Override
			public void onNext(T publish) {
				try {
					this.consumer.accept(publish);
				}
				catch (Throwable ex) {
					// The handler hands messages off and must not fail; if it does, the message
					// stays unacknowledged and the flow goes on.
					logger.error("MQTT client id '" + InboundFlow.this.clientId + "' could not hand off a message", ex);
				}
			}

			@Override
			public void onError(Throwable ex) {
				ended(this, ex);
			}

			@Override
			public void onComplete() {
				ended(this, null);
			}

			void cancel() {
				this.cancelled = true;
				Subscription subscription = this.subscription;
				if (subscription != null) {
					subscription.cancel();
				}
			}

		}

	}

	/**
	 * Turn a SUBACK into reason codes, also when HiveMQ reports one whose codes are all
	 * failures as an exception: a refused subscription is an answer, not an error.
	 */
	private static <A> CompletableFuture<List<Integer>> reasonCodes(CompletableFuture<A> subscribe,
			Function<Throwable, @Nullable A> subAckOfFailure, Function<A, List<Integer>> codes) {
		return subscribe.handle((subAck, ex) -> {
			if (ex == null) {
				return codes.apply(subAck);
			}
			Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
			A refused = subAckOfFailure.apply(cause);
			if (refused == null) {
				throw (ex instanceof CompletionException completion) ? completion : new CompletionException(ex);
			}
			return codes.apply(refused);
		});
	}

	static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return bytes;
	}

	/**
	 * MQTT 3.1.1 engine: no session expiry, no user properties, no reason codes.
	 */
	static final class Mqtt3Engine extends HiveMqEngine<Mqtt3Publish> {

		private final Mqtt3AsyncClient client;

		Mqtt3Engine(MqttClientSettings settings, MqttClientBuilder builder, MqttEngine.Callbacks callbacks,
				Closing closing) {
			super(settings, builder, callbacks, closing);
			Mqtt3ClientBuilder builder3 = builder.useMqttVersion3();
			// MQTT 3.1.1 allows a password only together with a user name [MQTT-3.1.2-22].
			if (settings.getUsername() != null) {
				Mqtt3SimpleAuthBuilder.Complete auth = Mqtt3SimpleAuth.builder().username(settings.getUsername());
				if (settings.getPassword() != null) {
					auth = auth.password(settings.getPassword().getBytes(StandardCharsets.UTF_8));
				}
				builder3.simpleAuth(auth.build());
			}
			this.client = builder3.willPublish(willPublish()).buildAsync();
		}

		@Override
		boolean connAckReceived(MqttClientConnectedContext context) {
			return ((Mqtt3ClientConnectedContext) context).getConnAck().isSessionPresent();
		}

		@Override
		Flowable<Mqtt3Publish> publishes() {
			return this.client.toRx().publishes(MqttGlobalPublishFilter.ALL, true);
		}

		@Override
		CompletableFuture<Boolean> sendConnect() {
			return this.client.connectWith()
				.cleanSession(this.settings.isCleanStart())
				.keepAlive(announcedKeepAlive(this.settings.getKeepAlive()))
				.send()
				.thenApply((connAck) -> connAck.isSessionPresent());
		}

		@Override
		Mqtt3Publish message(MqttTopic topic, byte[] payload, int qos, boolean retain) {
			return Mqtt3Publish.builder().topic(topic).payload(payload).qos(qos(qos)).retain(retain).build();
		}

		@Override
		public CompletableFuture<MqttPublishResult> publish(OutboundPublish publish) {
			return this.client
				.publish(message(TOPICS.get(publish.topic()), publish.payload(), publish.qos(), publish.retain()))
				.thenApply((ignored) -> new MqttPublishResult(publish.topic(), publish.qos(), publish.retain(), 0,
						null));
		}

		@Override
		int qosOf(Mqtt3Publish publish) {
			return publish.getQos().getCode();
		}

		@Override
		void acknowledge(Mqtt3Publish publish) {
			publish.acknowledge();
		}

		@Override
		MqttReceivedMessage received(String clientName, Mqtt3Publish publish, int qos, Runnable acknowledgement) {
			return new MqttReceivedMessage(clientName, publish.getTopic().toString(), publish.getPayloadAsBytes(), qos,
					publish.isRetain(), List.of(), null, null, null, null, acknowledgement);
		}

		@Override
		public CompletableFuture<List<Integer>> subscribe(List<MqttSubscription> subscriptions) {
			List<Mqtt3Subscription> mqtt3 = subscriptions.stream()
				.map((subscription) -> Mqtt3Subscription.builder()
					.topicFilter(subscription.filter())
					.qos(qos(subscription.qos()))
					.build())
				.toList();
			return reasonCodes(
					this.acks.send(this.client.toRx().subscribe(Mqtt3Subscribe.builder().addSubscriptions(mqtt3).build())),
					(ex) -> (ex instanceof Mqtt3SubAckException failed) ? failed.getMqttMessage() : null,
					(subAck) -> subAck.getReturnCodes().stream().map((code) -> code.getCode()).toList());
		}

		@Override
		CompletableFuture<Void> sendUnsubscribe(List<MqttTopicFilter> filters) {
			Completable unsubscribe = this.client.toRx()
				.unsubscribe(Mqtt3Unsubscribe.builder().addTopicFilters(filters).build());
			return this.acks.send(unsubscribe.toSingleDefault(Boolean.TRUE)).thenApply((ack) -> null);
		}

		@Override
		CompletableFuture<Void> sendDisconnect() {
			return this.client.disconnect();
		}

		@Override
		MqttClientState clientState() {
			return this.client.getState();
		}

	}

	/**
	 * A bounded map from topic name to HiveMQ topic; cleared when full.
	 */
	static final class TopicCache {

		private final int capacity;

		private final ConcurrentHashMap<String, MqttTopic> topics = new ConcurrentHashMap<>();

		TopicCache(int capacity) {
			this.capacity = capacity;
		}

		MqttTopic get(String name) {
			MqttTopic topic = this.topics.get(name);
			if (topic == null) {
				topic = MqttTopic.of(name);
				if (this.topics.size() >= this.capacity) {
					this.topics.clear();
				}
				this.topics.put(name, topic);
			}
			return topic;
		}

		int size() {
			return this.topics.size();
		}

	}

}
