package io.mqttboot.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientBuilder;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.lifecycle.Mqtt3ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuthBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.unsubscribe.Mqtt3Unsubscribe;
import com.hivemq.client.mqtt.mqtt3.message.unsubscribe.Mqtt3UnsubscribeBuilder;
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
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.Mqtt5UnsubscribeBuilder;
import io.reactivex.Flowable;
import io.reactivex.FlowableSubscriber;
import io.reactivex.functions.Consumer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

/**
 * Builds {@link MqttEngine} instances on the HiveMQ MQTT client, for MQTT 5 and 3.1.1.
 */
final class HiveMqEngines {

	/**
	 * HiveMQ topic objects of recently published topic names, shared by all clients. The
	 * client validates and encodes a topic name each time it builds a PUBLISH from a string;
	 * reusing the result was a fifth of the publishing thread's time in benchmark B3.
	 */
	static final TopicCache TOPICS = new TopicCache(1024);

	private HiveMqEngines() {
	}

	static MqttEngine create(MqttClientSettings settings, List<MqttClientCustomizer> customizers,
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
			String path = settings.getServerUri().getRawPath();
			transport.webSocketConfig().serverPath((path != null && !path.isEmpty()) ? path : "mqtt").applyWebSocketConfig();
		}
		transport.applyTransportConfig();
		builder.addDisconnectedListener((context) -> onDisconnected(context, callbacks));
		for (MqttClientCustomizer customizer : customizers) {
			customizer.customize(builder);
		}
		return (settings.getVersion() == MqttVersion.MQTT_3_1_1) ? new Mqtt3Engine(settings, builder, callbacks)
				: new Mqtt5Engine(settings, builder, callbacks);
	}

	private static void onDisconnected(MqttClientDisconnectedContext context, MqttEngine.Callbacks callbacks) {
		boolean byUser = context.getSource() == MqttDisconnectSource.USER;
		long delay = callbacks.disconnected(context.getCause(), byUser, context.getReconnector().getAttempts());
		if (delay >= 0) {
			context.getReconnector()
				.reconnect(true)
				// The session may be gone (broker restart, expiry): resend what was in flight so
				// that nothing is silently lost. The manager resubscribes itself, so that it sees
				// every SUBACK; the inbound flow HiveMQ then ends is renewed by InboundFlow.
				.resubscribeIfSessionExpired(false)
				.republishIfSessionExpired(true)
				.delay(delay, TimeUnit.MILLISECONDS);
			if (context instanceof Mqtt5ClientDisconnectedContext context5) {
				// A reconnect must resume the session rather than wipe it [MQTT-3.1.2-5]; whether
				// it outlives the connection is governed by the session expiry interval.
				var reconnector = context5.getReconnector();
				reconnector.connect(reconnector.getConnect().extend().cleanStart(false).build());
			}
		}
	}

	/**
	 * Describe why a connection ended, with the MQTT 5 reason code and string when the
	 * broker sent a CONNACK or DISCONNECT with one.
	 * @param cause the cause reported by the client
	 * @return the description
	 */
	static String reason(Throwable cause) {
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
	static boolean isSessionTakenOver(Throwable cause) {
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
	static boolean isClosedByBrokerWithoutDisconnect(Throwable cause) {
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

	static MqttQos qos(int qos) {
		return switch (qos) {
			case 0 -> MqttQos.AT_MOST_ONCE;
			case 1 -> MqttQos.AT_LEAST_ONCE;
			case 2 -> MqttQos.EXACTLY_ONCE;
			default -> throw new IllegalArgumentException("QoS must be 0, 1 or 2 but was " + qos);
		};
	}

	/**
	 * MQTT 5 engine.
	 */
	static final class Mqtt5Engine implements MqttEngine {

		private final MqttClientSettings settings;

		private final Mqtt5AsyncClient client;

		private final InboundFlow<Mqtt5Publish> inbound;

		Mqtt5Engine(MqttClientSettings settings, MqttClientBuilder builder, MqttEngine.Callbacks callbacks) {
			this.settings = settings;
			builder.addConnectedListener((context) -> connected(callbacks,
					((Mqtt5ClientConnectedContext) context).getConnAck().isSessionPresent()));
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
			MqttClientSettings.Will will = settings.getWill();
			if (will != null) {
				builder5.willPublish()
					.topic(will.topic())
					.payload(will.payload())
					.qos(qos(will.qos()))
					.retain(will.retain())
					.applyWillPublish();
			}
			this.client = builder5.buildAsync();
			this.inbound = new InboundFlow<>(settings.getClientId(),
					() -> this.client.toRx().publishes(MqttGlobalPublishFilter.ALL, true));
		}

		private void connected(MqttEngine.Callbacks callbacks, boolean sessionPresent) {
			this.inbound.connected(sessionPresent);
			callbacks.connected(sessionPresent);
		}

		@Override
		public CompletableFuture<Boolean> connect() {
			this.inbound.start();
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

		@Override
		public CompletableFuture<MqttPublishResult> publish(OutboundPublish publish) {
			Mqtt5PublishBuilder.Complete builder = Mqtt5Publish.builder()
				.topic(TOPICS.get(publish.topic()))
				.payload(publish.payload())
				.qos(qos(publish.qos()))
				.retain(publish.retain());
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
		public void setInboundHandler(String clientName, MqttInboundHandler handler, MqttInFlightTracker tracker) {
			this.inbound.setConsumer((publish) -> {
				int qos = publish.getQos().getCode();
				tracker.incomingStarted(qos);
				List<Map.Entry<String, String>> userProperties = publish.getUserProperties().asList().isEmpty()
						? List.of()
						: publish.getUserProperties()
							.asList()
							.stream()
							.map((property) -> Map.entry(property.getName().toString(), property.getValue().toString()))
							.toList();
				byte[] correlationData = publish.getCorrelationData().map(HiveMqEngines::bytes).orElse(null);
				Duration expiry = publish.getMessageExpiryInterval().isPresent()
						? Duration.ofSeconds(publish.getMessageExpiryInterval().getAsLong()) : null;
				handler.onMessage(new MqttReceivedMessage(clientName, publish.getTopic().toString(),
						publish.getPayloadAsBytes(), qos, publish.isRetain(), userProperties,
						publish.getContentType().map(Object::toString).orElse(null),
						publish.getResponseTopic().map(Object::toString).orElse(null), correlationData, expiry,
						publish.getPayloadFormatIndicator().orElse(null) == Mqtt5PayloadFormatIndicator.UTF_8, () -> {
							publish.acknowledge();
							tracker.incomingCompleted(qos);
						}));
			});
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
			return reasonCodes(this.client.subscribe(Mqtt5Subscribe.builder().addSubscriptions(mqtt5).build()),
					(ex) -> (ex instanceof Mqtt5SubAckException failed) ? failed.getMqttMessage() : null,
					(subAck) -> subAck.getReasonCodes().stream().map((code) -> code.getCode()).toList());
		}

		@Override
		public CompletableFuture<Void> unsubscribe(List<String> filters) {
			Mqtt5UnsubscribeBuilder.Complete builder = null;
			for (String filter : filters) {
				builder = (builder != null) ? builder.addTopicFilter(filter)
						: Mqtt5Unsubscribe.builder().addTopicFilter(filter);
			}
			if (builder == null) {
				return CompletableFuture.completedFuture(null);
			}
			return this.client.unsubscribe(builder.build()).thenApply((ack) -> null);
		}

		@Override
		public CompletableFuture<Void> disconnect() {
			return this.client.disconnect().whenComplete((ignored, ex) -> this.inbound.stop());
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
	 *
	 * @param <T> the PUBLISH type of the protocol version
	 */
	static final class InboundFlow<T> {

		private static final Log logger = LogFactory.getLog(InboundFlow.class);

		private final String clientId;

		private final Supplier<Flowable<T>> publishes;

		private @Nullable Consumer<T> consumer;

		private @Nullable InboundSubscriber subscriber;

		private boolean connectedBefore;

		InboundFlow(String clientId, Supplier<Flowable<T>> publishes) {
			this.clientId = clientId;
			this.publishes = publishes;
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
			Consumer<T> consumer = this.consumer;
			if (consumer != null && this.subscriber == null) {
				InboundSubscriber subscriber = new InboundSubscriber(consumer);
				this.subscriber = subscriber;
				this.publishes.get().subscribe(subscriber);
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
			start();
		}

		/**
		 * Cancel the subscription, once the client is disconnected: unacknowledged
		 * messages stay with the broker's session.
		 */
		synchronized void stop() {
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
				start();
			}
			else {
				logger.error("MQTT client id '" + this.clientId + "' stopped receiving messages"
						+ ((ex != null) ? ": " + MqttClientManager.describe(ex) : "") + "; it receives again after"
						+ " the next start", ex);
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
	static final class Mqtt3Engine implements MqttEngine {

		private final MqttClientSettings settings;

		private final Mqtt3AsyncClient client;

		private final InboundFlow<Mqtt3Publish> inbound;

		Mqtt3Engine(MqttClientSettings settings, MqttClientBuilder builder, MqttEngine.Callbacks callbacks) {
			this.settings = settings;
			builder.addConnectedListener((context) -> connected(callbacks,
					((Mqtt3ClientConnectedContext) context).getConnAck().isSessionPresent()));
			Mqtt3ClientBuilder builder3 = builder.useMqttVersion3();
			// MQTT 3.1.1 allows a password only together with a user name [MQTT-3.1.2-22].
			if (settings.getUsername() != null) {
				Mqtt3SimpleAuthBuilder.Complete auth = Mqtt3SimpleAuth.builder().username(settings.getUsername());
				if (settings.getPassword() != null) {
					auth = auth.password(settings.getPassword().getBytes(StandardCharsets.UTF_8));
				}
				builder3.simpleAuth(auth.build());
			}
			MqttClientSettings.Will will = settings.getWill();
			if (will != null) {
				builder3.willPublish()
					.topic(will.topic())
					.payload(will.payload())
					.qos(qos(will.qos()))
					.retain(will.retain())
					.applyWillPublish();
			}
			this.client = builder3.buildAsync();
			this.inbound = new InboundFlow<>(settings.getClientId(),
					() -> this.client.toRx().publishes(MqttGlobalPublishFilter.ALL, true));
		}

		private void connected(MqttEngine.Callbacks callbacks, boolean sessionPresent) {
			this.inbound.connected(sessionPresent);
			callbacks.connected(sessionPresent);
		}

		@Override
		public CompletableFuture<Boolean> connect() {
			this.inbound.start();
			return this.client.connectWith()
				.cleanSession(this.settings.isCleanStart())
				.keepAlive(announcedKeepAlive(this.settings.getKeepAlive()))
				.send()
				.thenApply((connAck) -> connAck.isSessionPresent());
		}

		@Override
		public CompletableFuture<MqttPublishResult> publish(OutboundPublish publish) {
			Mqtt3Publish message = Mqtt3Publish.builder()
				.topic(TOPICS.get(publish.topic()))
				.payload(publish.payload())
				.qos(qos(publish.qos()))
				.retain(publish.retain())
				.build();
			return this.client.publish(message)
				.thenApply((ignored) -> new MqttPublishResult(publish.topic(), publish.qos(), publish.retain(), 0,
						null));
		}

		@Override
		public void setInboundHandler(String clientName, MqttInboundHandler handler, MqttInFlightTracker tracker) {
			this.inbound.setConsumer((publish) -> {
				int qos = publish.getQos().getCode();
				tracker.incomingStarted(qos);
				handler.onMessage(new MqttReceivedMessage(clientName, publish.getTopic().toString(),
						publish.getPayloadAsBytes(), qos, publish.isRetain(), List.of(), null, null, null, null, () -> {
							publish.acknowledge();
							tracker.incomingCompleted(qos);
						}));
			});
		}

		@Override
		public CompletableFuture<List<Integer>> subscribe(List<MqttSubscription> subscriptions) {
			List<Mqtt3Subscription> mqtt3 = subscriptions.stream()
				.map((subscription) -> Mqtt3Subscription.builder()
					.topicFilter(subscription.filter())
					.qos(qos(subscription.qos()))
					.build())
				.toList();
			return reasonCodes(this.client.subscribe(Mqtt3Subscribe.builder().addSubscriptions(mqtt3).build()),
					(ex) -> (ex instanceof Mqtt3SubAckException failed) ? failed.getMqttMessage() : null,
					(subAck) -> subAck.getReturnCodes().stream().map((code) -> code.getCode()).toList());
		}

		@Override
		public CompletableFuture<Void> unsubscribe(List<String> filters) {
			Mqtt3UnsubscribeBuilder.Complete builder = null;
			for (String filter : filters) {
				builder = (builder != null) ? builder.addTopicFilter(filter)
						: Mqtt3Unsubscribe.builder().addTopicFilter(filter);
			}
			if (builder == null) {
				return CompletableFuture.completedFuture(null);
			}
			return this.client.unsubscribe(builder.build());
		}

		@Override
		public CompletableFuture<Void> disconnect() {
			return this.client.disconnect().whenComplete((ignored, ex) -> this.inbound.stop());
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
