package io.mqttboot.core;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Immutable, resolved settings of one managed client: what the auto-configuration derives
 * from {@code mqtt.*} properties and the {@code MqttConnectionDetails}. Kept separate from
 * the property classes so that the core does not depend on configuration binding and can
 * be built programmatically.
 *
 * @since 0.1.0
 */
public final class MqttClientSettings {

	/**
	 * The default MQTT 5 receive maximum, the protocol's: the client then leaves the
	 * property out of CONNECT and the broker applies its own window (mosquitto's
	 * {@code max_inflight_messages}, 20 by default). A value the client sends replaces that
	 * window on mosquitto 2.0.
	 */
	public static final int DEFAULT_RECEIVE_MAXIMUM = 65_535;

	private final URI serverUri;

	private final List<URI> serverUris;

	private final String clientId;

	private final @Nullable String username;

	private final @Nullable String password;

	private final MqttVersion version;

	private final Duration keepAlive;

	private final Duration connectTimeout;

	private final boolean cleanStart;

	private final Duration sessionExpiry;

	private final int receiveMaximum;

	private final @Nullable Will will;

	private final Duration reconnectInitialDelay;

	private final Duration reconnectMaxDelay;

	private final boolean failFast;

	private final int defaultQos;

	private final boolean defaultRetain;

	private final Duration publishTimeout;

	private final int outboxCapacity;

	private final @Nullable Path outboxDirectory;

	private final int maxPacketSize;

	private final int maxQos;

	private final Duration shutdownTimeout;

	private final boolean deliveryEvents;

	private final boolean callbacksOnNetworkThread;

	private final @Nullable MqttTlsSettings tls;

	private MqttClientSettings(Builder builder) {
		this.serverUris = serverUris(builder.serverUris);
		this.serverUri = this.serverUris.get(0);
		this.clientId = Objects.requireNonNull(builder.clientId, "clientId is required");
		this.username = builder.username;
		this.password = builder.password;
		this.version = builder.version;
		this.keepAlive = builder.keepAlive;
		this.connectTimeout = builder.connectTimeout;
		this.cleanStart = builder.cleanStart;
		this.sessionExpiry = builder.sessionExpiry;
		this.receiveMaximum = builder.receiveMaximum;
		this.will = builder.will;
		this.reconnectInitialDelay = builder.reconnectInitialDelay;
		this.reconnectMaxDelay = builder.reconnectMaxDelay;
		this.failFast = builder.failFast;
		this.defaultQos = builder.defaultQos;
		this.defaultRetain = builder.defaultRetain;
		this.publishTimeout = builder.publishTimeout;
		this.outboxCapacity = builder.outboxCapacity;
		this.outboxDirectory = builder.outboxDirectory;
		this.maxPacketSize = builder.maxPacketSize;
		this.maxQos = builder.maxQos;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.deliveryEvents = builder.deliveryEvents;
		this.callbacksOnNetworkThread = builder.callbacksOnNetworkThread;
		this.tls = builder.tls;
		Assert.isTrue(this.keepAlive.toSeconds() >= 0 && this.keepAlive.toSeconds() <= 65535,
				() -> "keep-alive must be between 0 and 65535 seconds but was " + this.keepAlive);
		Assert.isTrue(!this.reconnectInitialDelay.isNegative() && !this.reconnectInitialDelay.isZero(),
				"reconnect initial-delay must be positive");
		Assert.isTrue(this.reconnectMaxDelay.compareTo(this.reconnectInitialDelay) >= 0,
				"reconnect max-delay must not be smaller than initial-delay");
		Assert.isTrue(this.outboxCapacity >= 0, "outbox capacity must not be negative");
		Assert.isTrue(this.maxPacketSize >= 0, "maximum packet size must not be negative");
		Assert.isTrue(this.receiveMaximum >= 1 && this.receiveMaximum <= 65535,
				() -> "receive maximum must be between 1 and 65535 but was " + this.receiveMaximum);
		checkQos(this.defaultQos, "default QoS");
		checkQos(this.maxQos, "maximum QoS (mqtt.publish.max-qos)");
		if (this.will != null) {
			checkQos(this.will.qos(), "Will QoS");
		}
	}

	/**
	 * Check that a QoS is 0, 1 or 2.
	 * <p>
	 * Internal: not for use by applications; may change without notice.
	 * @param qos the QoS
	 * @param what what the QoS is of, for the error message
	 * @throws IllegalArgumentException if the QoS is out of range
	 */
	public static void checkQos(int qos, String what) {
		if (qos < 0 || qos > 2) {
			throw new IllegalArgumentException(what + " must be 0, 1 or 2 but was " + qos + " [MQTT-3.3.1-4]");
		}
	}

	private static List<URI> serverUris(List<URI> uris) {
		Assert.notEmpty(uris, "at least one server URI is required");
		List<URI> result = new ArrayList<>(uris.size());
		Scheme first = null;
		for (int i = 0; i < uris.size(); i++) {
			URI uri = stripUserInfo(Objects.requireNonNull(uris.get(i), "server URI is required"));
			Scheme scheme = Scheme.of(uri);
			if (first == null) {
				first = scheme;
			}
			else if (scheme != first) {
				// One client has one transport (TLS or not, WebSocket or not) for every server.
				throw new IllegalArgumentException("Server URI " + (i + 1) + " of " + uris.size() + " ('" + uri
						+ "') uses another transport than the first ('" + result.get(0)
						+ "'): every server of a list must be reached the same way (tcp/mqtt, ssl/mqtts/tls, ws or wss)");
			}
			result.add(uri);
		}
		return List.copyOf(result);
	}

	private static URI stripUserInfo(URI uri) {
		if (uri.getRawUserInfo() == null) {
			return uri;
		}
		return URI.create(uri.getScheme() + "://" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
				+ ((uri.getRawPath() != null) ? uri.getRawPath() : ""));
	}

	/**
	 * Create a new builder.
	 * @return a builder with the documented defaults
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the broker URI, never with user-info.
	 * @return the server URI, for example {@code tcp://localhost:1883}
	 */
	public URI getServerUri() {
		return this.serverUri;
	}

	/**
	 * Return the brokers to connect to, in the order they are tried, never with user-info.
	 * The client connects to the first that answers and moves on to the next one in turn
	 * whenever a connection is lost or an attempt fails.
	 * @return the server URIs, at least one; the first is {@link #getServerUri()}
	 */
	public List<URI> getServerUris() {
		return this.serverUris;
	}

	/**
	 * Return the host of the broker.
	 * @return the host name or address
	 */
	public String getHost() {
		return (this.serverUri.getHost() != null) ? this.serverUri.getHost() : "localhost";
	}

	/**
	 * Return the port of the broker, the scheme's default when the URI has none.
	 * @return the port
	 */
	public int getPort() {
		return (this.serverUri.getPort() != -1) ? this.serverUri.getPort() : Scheme.of(this.serverUri).defaultPort;
	}

	/**
	 * Return whether the transport is TLS: an {@code ssl://}, {@code mqtts://} or
	 * {@code wss://} URI, or TLS settings from an SSL bundle.
	 * @return whether TLS is used
	 */
	public boolean isSecure() {
		return Scheme.of(this.serverUri).secure || this.tls != null;
	}

	/**
	 * Return the TLS material and options.
	 * @return the TLS settings, or {@code null} for the JDK defaults (or no TLS)
	 */
	public @Nullable MqttTlsSettings getTls() {
		return this.tls;
	}

	/**
	 * Return whether the transport is WebSocket ({@code ws://} or {@code wss://}).
	 * @return whether WebSocket is used
	 */
	public boolean isWebSocket() {
		return Scheme.of(this.serverUri).webSocket;
	}

	/**
	 * Return the MQTT client identifier.
	 * @return the client identifier
	 */
	public String getClientId() {
		return this.clientId;
	}

	/**
	 * Return the user name for authentication.
	 * @return the user name or {@code null}
	 */
	public @Nullable String getUsername() {
		return this.username;
	}

	/**
	 * Return the password for authentication. Never log it.
	 * @return the password or {@code null}
	 */
	public @Nullable String getPassword() {
		return this.password;
	}

	/**
	 * Return the protocol version.
	 * @return the MQTT version
	 */
	public MqttVersion getVersion() {
		return this.version;
	}

	/**
	 * Return the keep-alive interval: a dead connection is noticed within 1.5 times this
	 * interval. To achieve that, the keep-alive announced to the broker in CONNECT is
	 * about three quarters of it.
	 * @return the keep-alive
	 */
	public Duration getKeepAlive() {
		return this.keepAlive;
	}

	/**
	 * Return how long to wait for the TCP/TLS connection and the CONNACK.
	 * @return the connect timeout
	 */
	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	/**
	 * Return whether to start with a clean session.
	 * @return the clean start (MQTT 3.1.1: clean session) flag
	 */
	public boolean isCleanStart() {
		return this.cleanStart;
	}

	/**
	 * Return how long the broker keeps the session after the connection closes.
	 * @return the session expiry interval, zero for none
	 */
	public Duration getSessionExpiry() {
		return this.sessionExpiry;
	}

	/**
	 * Return how many QoS 1 and QoS 2 messages the broker may send before the client
	 * acknowledged them (MQTT 5 receive maximum). The starter acknowledges after the
	 * listener finished, so this bounds what a slow listener holds.
	 * @return the receive maximum, 1 to 65,535
	 */
	public int getReceiveMaximum() {
		return this.receiveMaximum;
	}

	/**
	 * Return whether the session outlives the connection: MQTT 5 with a session expiry
	 * interval above zero, or MQTT 3.1.1 with clean session off.
	 * @return whether the session is persistent
	 */
	public boolean isPersistentSession() {
		if (this.version == MqttVersion.MQTT_3_1_1) {
			return !this.cleanStart;
		}
		return !this.sessionExpiry.isZero();
	}

	/**
	 * Return the Last Will message.
	 * @return the will or {@code null}
	 */
	public @Nullable Will getWill() {
		return this.will;
	}

	/**
	 * Return the delay before the first reconnect attempt.
	 * @return the initial reconnect delay
	 */
	public Duration getReconnectInitialDelay() {
		return this.reconnectInitialDelay;
	}

	/**
	 * Return the upper bound of the exponential reconnect back-off.
	 * @return the maximum reconnect delay
	 */
	public Duration getReconnectMaxDelay() {
		return this.reconnectMaxDelay;
	}

	/**
	 * Return whether starting fails when the first connection attempt fails.
	 * @return the fail-fast flag
	 */
	public boolean isFailFast() {
		return this.failFast;
	}

	/**
	 * Return the QoS used when a publish does not set one.
	 * @return the default QoS
	 */
	public int getDefaultQos() {
		return this.defaultQos;
	}

	/**
	 * Return the retain flag used when a publish does not set one.
	 * @return the default retain flag
	 */
	public boolean isDefaultRetain() {
		return this.defaultRetain;
	}

	/**
	 * Return how long a blocking publish waits for its acknowledgement.
	 * @return the publish timeout
	 */
	public Duration getPublishTimeout() {
		return this.publishTimeout;
	}

	/**
	 * Return how many messages may wait while the client is disconnected.
	 * @return the outbox capacity
	 */
	public int getOutboxCapacity() {
		return this.outboxCapacity;
	}

	/**
	 * Return the directory of the durable outbox: when set, accepted QoS 1 and QoS 2
	 * publishes are written to a file there before their future is returned and published
	 * again after a restart until the broker acknowledged them.
	 * @return the directory, or {@code null} to keep the outbox in memory only
	 */
	public @Nullable Path getOutboxDirectory() {
		return this.outboxDirectory;
	}

	/**
	 * Return the largest PUBLISH packet to send; larger messages fail without being sent.
	 * @return the maximum packet size in bytes, or {@code 0} for none besides the one an
	 * MQTT 5 broker announces
	 */
	public int getMaxPacketSize() {
		return this.maxPacketSize;
	}

	/**
	 * Return the highest QoS to publish with: messages asking for more are sent with this
	 * QoS. An MQTT 5 broker's announced Maximum QoS applies as well.
	 * @return 0, 1 or 2
	 */
	public int getMaxQos() {
		return this.maxQos;
	}

	/**
	 * Return how long stopping waits for in-flight work.
	 * @return the shutdown timeout
	 */
	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * Return whether a {@code MqttMessageDeliveredEvent} is published for every
	 * acknowledged message.
	 * @return the flag
	 */
	public boolean isDeliveryEvents() {
		return this.deliveryEvents;
	}

	/**
	 * Return whether incoming messages and acknowledgements are handled on the thread that
	 * reads the connection, where the futures of the client then complete, rather than
	 * handed to RxJava's computation threads first.
	 * @return the flag
	 * @see Builder#callbacksOnNetworkThread(boolean)
	 */
	public boolean isCallbacksOnNetworkThread() {
		return this.callbacksOnNetworkThread;
	}

	@Override
	public String toString() {
		// Deliberately without user name and password.
		return "MqttClientSettings[serverUris=" + this.serverUris + ", clientId=" + this.clientId + ", version="
				+ this.version + ", cleanStart=" + this.cleanStart + ", sessionExpiry=" + this.sessionExpiry + "]";
	}

	/**
	 * The Last Will message the broker publishes when the connection ends without a
	 * DISCONNECT [MQTT-3.1.2-8].
	 *
	 * @param topic the topic name
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retain whether the will is retained
	 */
	public record Will(String topic, byte[] payload, int qos, boolean retain) {

	}

	/**
	 * Return the port of a server URI, or the default port of its scheme. Internal: not for
	 * use by applications; may change without notice.
	 * @param server the server URI
	 * @return the port
	 */
	public static int portOf(URI server) {
		return (server.getPort() != -1) ? server.getPort() : Scheme.of(server).defaultPort;
	}

	enum Scheme {

		TCP(1883, false, false), SSL(8883, true, false), WS(80, false, true), WSS(443, true, true);

		final int defaultPort;

		final boolean secure;

		final boolean webSocket;

		Scheme(int defaultPort, boolean secure, boolean webSocket) {
			this.defaultPort = defaultPort;
			this.secure = secure;
			this.webSocket = webSocket;
		}

		static Scheme of(URI uri) {
			String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
			return switch (scheme) {
				case "tcp", "mqtt" -> TCP;
				case "ssl", "mqtts", "tls" -> SSL;
				case "ws" -> WS;
				case "wss" -> WSS;
				default -> throw new IllegalArgumentException("Unsupported MQTT server URI '" + uri
						+ "': the scheme must be one of tcp, mqtt, ssl, mqtts, ws or wss");
			};
		}

	}

	/**
	 * Builder for {@link MqttClientSettings}.
	 */
	public static final class Builder {

		private List<URI> serverUris = List.of(URI.create("tcp://localhost:1883"));

		private @Nullable String clientId;

		private @Nullable String username;

		private @Nullable String password;

		private MqttVersion version = MqttVersion.MQTT_5_0;

		private Duration keepAlive = Duration.ofSeconds(60);

		private Duration connectTimeout = Duration.ofSeconds(10);

		private boolean cleanStart = true;

		private Duration sessionExpiry = Duration.ZERO;

		private int receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;

		private @Nullable Will will;

		private Duration reconnectInitialDelay = Duration.ofSeconds(1);

		private Duration reconnectMaxDelay = Duration.ofSeconds(30);

		private boolean failFast;

		private int defaultQos = 1;

		private boolean defaultRetain;

		private Duration publishTimeout = Duration.ofSeconds(10);

		private int outboxCapacity = 10_000;

		private @Nullable Path outboxDirectory;

		private int maxPacketSize;

		private int maxQos = 2;

		private Duration shutdownTimeout = Duration.ofSeconds(10);

		private boolean deliveryEvents;

		private boolean callbacksOnNetworkThread = true;

		private @Nullable MqttTlsSettings tls;

		private Builder() {
		}

		/**
		 * Set the TLS material and options; setting them enables TLS whatever the URI
		 * scheme.
		 * @param tls the TLS settings or {@code null}
		 * @return this builder
		 */
		public Builder tls(@Nullable MqttTlsSettings tls) {
			this.tls = tls;
			return this;
		}

		/**
		 * Set whether to publish an event for every acknowledged message.
		 * @param deliveryEvents the flag
		 * @return this builder
		 */
		public Builder deliveryEvents(boolean deliveryEvents) {
			this.deliveryEvents = deliveryEvents;
			return this;
		}

		/**
		 * Set whether incoming messages and acknowledgements are handled on the thread that
		 * reads the connection (the default), or handed to RxJava's computation threads
		 * first. Handling them where they are read saves a thread hop per message; the hop
		 * pays off when listeners run on many virtual threads, whose wake-ups would
		 * otherwise cost the network thread (docs/design.md §8b). Futures of the client
		 * complete on the thread chosen here.
		 * @param callbacksOnNetworkThread the flag
		 * @return this builder
		 */
		public Builder callbacksOnNetworkThread(boolean callbacksOnNetworkThread) {
			this.callbacksOnNetworkThread = callbacksOnNetworkThread;
			return this;
		}

		/**
		 * Set the broker URI. User-info in the URI is removed; pass credentials with
		 * {@link #username(String)} and {@link #password(String)}.
		 * @param serverUri the URI
		 * @return this builder
		 */
		public Builder serverUri(URI serverUri) {
			this.serverUris = List.of(serverUri);
			return this;
		}

		/**
		 * Set the brokers to connect to, tried in turn: for example the nodes of a
		 * cluster. User-info in the URIs is removed; pass credentials with
		 * {@link #username(String)} and {@link #password(String)}. Every URI must use the
		 * same transport (tcp, ssl, ws or wss).
		 * @param serverUris the URIs, at least one
		 * @return this builder
		 */
		public Builder serverUris(List<URI> serverUris) {
			this.serverUris = List.copyOf(serverUris);
			return this;
		}

		/**
		 * Set the client identifier.
		 * @param clientId the client identifier
		 * @return this builder
		 */
		public Builder clientId(String clientId) {
			this.clientId = clientId;
			return this;
		}

		/**
		 * Set the user name.
		 * @param username the user name
		 * @return this builder
		 */
		public Builder username(@Nullable String username) {
			this.username = username;
			return this;
		}

		/**
		 * Set the password.
		 * @param password the password
		 * @return this builder
		 */
		public Builder password(@Nullable String password) {
			this.password = password;
			return this;
		}

		/**
		 * Set the protocol version.
		 * @param version the version
		 * @return this builder
		 */
		public Builder version(MqttVersion version) {
			this.version = version;
			return this;
		}

		/**
		 * Set the keep-alive interval.
		 * @param keepAlive the keep-alive
		 * @return this builder
		 */
		public Builder keepAlive(Duration keepAlive) {
			this.keepAlive = keepAlive;
			return this;
		}

		/**
		 * Set the connect timeout.
		 * @param connectTimeout the timeout
		 * @return this builder
		 */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		/**
		 * Set the clean start flag.
		 * @param cleanStart whether to start with a clean session
		 * @return this builder
		 */
		public Builder cleanStart(boolean cleanStart) {
			this.cleanStart = cleanStart;
			return this;
		}

		/**
		 * Set the MQTT 5 receive maximum: how many unacknowledged QoS 1 and QoS 2
		 * messages the broker may send.
		 * @param receiveMaximum 1 to 65,535
		 * @return this builder
		 */
		public Builder receiveMaximum(int receiveMaximum) {
			this.receiveMaximum = receiveMaximum;
			return this;
		}

		/**
		 * Set the session expiry interval (MQTT 5).
		 * @param sessionExpiry the interval
		 * @return this builder
		 */
		public Builder sessionExpiry(Duration sessionExpiry) {
			this.sessionExpiry = sessionExpiry;
			return this;
		}

		/**
		 * Set the Last Will.
		 * @param will the will or {@code null}
		 * @return this builder
		 */
		public Builder will(@Nullable Will will) {
			this.will = will;
			return this;
		}

		/**
		 * Set the delay before the first reconnect attempt.
		 * @param initialDelay the delay
		 * @return this builder
		 */
		public Builder reconnectInitialDelay(Duration initialDelay) {
			this.reconnectInitialDelay = initialDelay;
			return this;
		}

		/**
		 * Set the maximum reconnect delay.
		 * @param maxDelay the delay
		 * @return this builder
		 */
		public Builder reconnectMaxDelay(Duration maxDelay) {
			this.reconnectMaxDelay = maxDelay;
			return this;
		}

		/**
		 * Set whether starting fails when the broker cannot be reached.
		 * @param failFast the flag
		 * @return this builder
		 */
		public Builder failFast(boolean failFast) {
			this.failFast = failFast;
			return this;
		}

		/**
		 * Set the default QoS of published messages.
		 * @param defaultQos 0, 1 or 2
		 * @return this builder
		 */
		public Builder defaultQos(int defaultQos) {
			this.defaultQos = defaultQos;
			return this;
		}

		/**
		 * Set the default retain flag of published messages.
		 * @param defaultRetain the flag
		 * @return this builder
		 */
		public Builder defaultRetain(boolean defaultRetain) {
			this.defaultRetain = defaultRetain;
			return this;
		}

		/**
		 * Set how long a blocking publish waits.
		 * @param publishTimeout the timeout
		 * @return this builder
		 */
		public Builder publishTimeout(Duration publishTimeout) {
			this.publishTimeout = publishTimeout;
			return this;
		}

		/**
		 * Set the outbox capacity.
		 * @param outboxCapacity the number of messages
		 * @return this builder
		 */
		public Builder outboxCapacity(int outboxCapacity) {
			this.outboxCapacity = outboxCapacity;
			return this;
		}

		/**
		 * Set the directory of the durable outbox, one file per client name in it.
		 * @param outboxDirectory the directory, or {@code null} (the default) to keep the
		 * outbox in memory only
		 * @return this builder
		 */
		public Builder outboxDirectory(@Nullable Path outboxDirectory) {
			this.outboxDirectory = outboxDirectory;
			return this;
		}

		/**
		 * Set the largest PUBLISH packet to send.
		 * @param maxPacketSize the maximum packet size in bytes, or {@code 0} for none
		 * besides the one an MQTT 5 broker announces
		 * @return this builder
		 */
		public Builder maxPacketSize(int maxPacketSize) {
			this.maxPacketSize = maxPacketSize;
			return this;
		}

		/**
		 * Set the highest QoS to publish with; messages asking for more are sent with it.
		 * @param maxQos 0, 1 or 2
		 * @return this builder
		 */
		public Builder maxQos(int maxQos) {
			this.maxQos = maxQos;
			return this;
		}

		/**
		 * Set how long stopping waits for in-flight work.
		 * @param shutdownTimeout the timeout
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		/**
		 * Build the settings.
		 * @return the settings
		 * @throws IllegalArgumentException if a value is out of range
		 */
		public MqttClientSettings build() {
			return new MqttClientSettings(this);
		}

	}

}
