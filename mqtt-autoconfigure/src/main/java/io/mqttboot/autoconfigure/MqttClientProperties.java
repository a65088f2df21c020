package io.mqttboot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * Connection and publishing settings of one MQTT client, bound from {@code mqtt.*} for the
 * default client and from {@code mqtt.clients.<name>.*} for each extra client.
 *
 * @since 0.1.0
 */
public class MqttClientProperties {

	static final String DEFAULT_URL = "tcp://localhost:1883";

	/**
	 * Broker URI: tcp://, ssl://, ws:// or wss://. User-info in the URI is used as
	 * credentials and never logged.
	 */
	private String url = DEFAULT_URL;

	/**
	 * Brokers to connect to in turn, for example the nodes of a cluster, instead of url:
	 * the client connects to the first that answers and moves on to the next one whenever
	 * the connection is lost or an attempt fails, with the reconnect back-off. Every URL
	 * must use the same transport; user-info, if any, must be the same on each.
	 */
	private List<String> urls = new ArrayList<>();

	/**
	 * Client identifier. Defaults to spring.application.name plus a random suffix.
	 */
	private @Nullable String clientId;

	/**
	 * Login user of the broker.
	 */
	private @Nullable String username;

	/**
	 * Login password of the broker.
	 */
	private @Nullable String password;

	/**
	 * MQTT protocol version: 5 for MQTT 5.0, 3 for MQTT 3.1.1.
	 */
	private int version = 5;

	/**
	 * Keep-alive interval: a connection that carries no bytes is noticed within 1.5 times
	 * this interval, by the broker and by the client (which announces about three
	 * quarters of it to the broker to achieve that). Zero turns keep-alive off. If a
	 * duration suffix is not specified, seconds will be used.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private Duration keepAlive = Duration.ofSeconds(60);

	/**
	 * Time to wait for the network connection and the CONNACK.
	 */
	private Duration connectTimeout = Duration.ofSeconds(10);

	/**
	 * Whether the first connection starts a new session (MQTT 3.1.1: clean session).
	 * Reconnects always resume the session.
	 */
	private boolean cleanStart = true;

	/**
	 * How long the broker keeps the session after the connection closes (MQTT 5). Zero
	 * ends the session with the connection. When not set: 5 minutes if client-id is set,
	 * so that a lost connection resumes its session and no QoS 1 or 2 message published
	 * meanwhile is lost; zero with a generated client id, which no later run reuses. If a
	 * duration suffix is not specified, seconds will be used.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private @Nullable Duration sessionExpiry;

	/**
	 * How many QoS 1 and QoS 2 messages the broker may send before the client acknowledged
	 * them (MQTT 5). Listeners acknowledge after processing, so this bounds what a slow
	 * listener holds in memory. The default, the protocol's maximum, is not sent, so the
	 * broker's own window applies (mosquitto: max_inflight_messages); a value that is sent
	 * replaces that window on mosquitto 2.0, which then does not keep to it either.
	 */
	private int receiveMaximum = 65535;

	/**
	 * Whether startup fails when the broker cannot be reached. When false, the application
	 * starts and the client keeps retrying.
	 */
	private boolean failFast;

	private final Will will = new Will();

	private final Reconnect reconnect = new Reconnect();

	private final Publish publish = new Publish();

	private final Outbox outbox = new Outbox();

	private final Ssl ssl = new Ssl();

	public String getUrl() {
		return this.url;
	}

	public void setUrl(String url) {
		this.url = url;
	}

	public List<String> getUrls() {
		return this.urls;
	}

	public void setUrls(List<String> urls) {
		this.urls = urls;
	}

	public @Nullable String getClientId() {
		return this.clientId;
	}

	public void setClientId(@Nullable String clientId) {
		this.clientId = clientId;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public int getVersion() {
		return this.version;
	}

	public void setVersion(int version) {
		this.version = version;
	}

	public Duration getKeepAlive() {
		return this.keepAlive;
	}

	public void setKeepAlive(Duration keepAlive) {
		this.keepAlive = keepAlive;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public boolean isCleanStart() {
		return this.cleanStart;
	}

	public void setCleanStart(boolean cleanStart) {
		this.cleanStart = cleanStart;
	}

	public @Nullable Duration getSessionExpiry() {
		return this.sessionExpiry;
	}

	public void setSessionExpiry(@Nullable Duration sessionExpiry) {
		this.sessionExpiry = sessionExpiry;
	}

	public int getReceiveMaximum() {
		return this.receiveMaximum;
	}

	public void setReceiveMaximum(int receiveMaximum) {
		this.receiveMaximum = receiveMaximum;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public Will getWill() {
		return this.will;
	}

	public Reconnect getReconnect() {
		return this.reconnect;
	}

	public Publish getPublish() {
		return this.publish;
	}

	public Outbox getOutbox() {
		return this.outbox;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	/**
	 * TLS settings. The URL scheme ssl://, mqtts:// or wss:// enables TLS with the JDK's
	 * trust store; a bundle enables TLS with its trust material and, for mutual TLS, its key.
	 */
	public static class Ssl {

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.*) with the trusted certificates and,
		 * for mutual TLS, the client certificate. Setting it enables TLS.
		 */
		private @Nullable String bundle;

		/**
		 * Whether the server certificate must match the broker host name. Turning it off
		 * allows man-in-the-middle attacks and is logged as a warning.
		 */
		private boolean verifyHostname = true;

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

		public boolean isVerifyHostname() {
			return this.verifyHostname;
		}

		public void setVerifyHostname(boolean verifyHostname) {
			this.verifyHostname = verifyHostname;
		}

	}

	/**
	 * Last Will message, published by the broker when the connection ends without a
	 * DISCONNECT.
	 */
	public static class Will {

		/**
		 * Topic name of the Last Will. No Will is set unless a topic is given.
		 */
		private @Nullable String topic;

		/**
		 * Payload of the Last Will, as UTF-8 text.
		 */
		private String payload = "";

		/**
		 * QoS of the Last Will.
		 */
		private int qos;

		/**
		 * Whether the Last Will is retained.
		 */
		private boolean retain;

		public @Nullable String getTopic() {
			return this.topic;
		}

		public void setTopic(@Nullable String topic) {
			this.topic = topic;
		}

		public String getPayload() {
			return this.payload;
		}

		public void setPayload(String payload) {
			this.payload = payload;
		}

		public int getQos() {
			return this.qos;
		}

		public void setQos(int qos) {
			this.qos = qos;
		}

		public boolean isRetain() {
			return this.retain;
		}

		public void setRetain(boolean retain) {
			this.retain = retain;
		}

	}

	/**
	 * Reconnect back-off: exponential from the initial delay up to the maximum delay, with
	 * jitter.
	 */
	public static class Reconnect {

		/**
		 * Base delay of the reconnect back-off. Retry n waits a random time between half
		 * and all of this delay times 2^n, capped at the maximum delay; n is 0 for the
		 * first retry after a lost connection (0.5 to 1 times this delay) and 1 for the
		 * first retry after a failed connection attempt (1 to 2 times this delay).
		 */
		private Duration initialDelay = Duration.ofSeconds(1);

		/**
		 * Maximum delay between reconnect attempts; with jitter, a capped retry waits
		 * between half of it and all of it.
		 */
		private Duration maxDelay = Duration.ofSeconds(30);

		public Duration getInitialDelay() {
			return this.initialDelay;
		}

		public void setInitialDelay(Duration initialDelay) {
			this.initialDelay = initialDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

	}

	/**
	 * Defaults of MqttTemplate publishes.
	 */
	public static class Publish {

		/**
		 * QoS of messages that do not set one.
		 */
		private int qos = 1;

		/**
		 * Whether messages that do not say otherwise are retained.
		 */
		private boolean retain;

		/**
		 * How long a blocking publish waits for the broker's acknowledgement.
		 */
		private Duration timeout = Duration.ofSeconds(10);

		/**
		 * Whether to publish an MqttMessageDeliveredEvent for every message the broker
		 * acknowledged.
		 */
		private boolean deliveryEvents;

		/**
		 * Largest PUBLISH packet the broker accepts; larger messages fail without being
		 * sent. MQTT 5 brokers announce their limit, which applies as well. Set it on MQTT
		 * 3.1.1 when the broker limits the packet size: such a broker closes the connection
		 * on a larger packet, and the client would resend it after every reconnect. If a
		 * data size suffix is not specified, bytes will be used.
		 */
		private @Nullable DataSize maxPacketSize;

		/**
		 * Highest QoS to publish with, 0 to 2. Messages asking for more are sent with this
		 * QoS instead, with a warning logged once. MQTT 5 brokers announce their own
		 * maximum in CONNACK, which applies as well. Set it on MQTT 3.1.1 for brokers
		 * without QoS 2 (RabbitMQ's MQTT plugin answers a QoS 2 PUBLISH with PUBACK, which
		 * makes the client close the connection). Defaults to 2.
		 */
		private @Nullable Integer maxQos;

		public @Nullable Integer getMaxQos() {
			return this.maxQos;
		}

		public void setMaxQos(@Nullable Integer maxQos) {
			this.maxQos = maxQos;
		}

		public @Nullable DataSize getMaxPacketSize() {
			return this.maxPacketSize;
		}

		public void setMaxPacketSize(@Nullable DataSize maxPacketSize) {
			this.maxPacketSize = maxPacketSize;
		}

		public boolean isDeliveryEvents() {
			return this.deliveryEvents;
		}

		public void setDeliveryEvents(boolean deliveryEvents) {
			this.deliveryEvents = deliveryEvents;
		}

		public int getQos() {
			return this.qos;
		}

		public void setQos(int qos) {
			this.qos = qos;
		}

		public boolean isRetain() {
			return this.retain;
		}

		public void setRetain(boolean retain) {
			this.retain = retain;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Messages published while the client is disconnected wait in a bounded outbox.
	 */
	public static class Outbox {

		/**
		 * Maximum number of messages waiting for the connection. Publishing to a full
		 * outbox fails the publish future.
		 */
		private int capacity = 10_000;

		/**
		 * Where accepted QoS 1 and QoS 2 messages are kept until the broker acknowledged
		 * them: in memory (lost on a crash, failed on stop) or in a file in the outbox
		 * directory (written with fsync before the publish returns, published again after a
		 * restart, at least once).
		 */
		private Store store = Store.MEMORY;

		/**
		 * Directory of the file outbox, one file per client named after the client
		 * (default, or the name under mqtt.clients). Required when store is file; give each
		 * application instance its own directory.
		 */
		private @Nullable Path directory;

		public int getCapacity() {
			return this.capacity;
		}

		public void setCapacity(int capacity) {
			this.capacity = capacity;
		}

		public Store getStore() {
			return this.store;
		}

		public void setStore(Store store) {
			this.store = store;
		}

		public @Nullable Path getDirectory() {
			return this.directory;
		}

		public void setDirectory(@Nullable Path directory) {
			this.directory = directory;
		}

		/**
		 * Where the outbox keeps accepted messages.
		 */
		public enum Store {

			/**
			 * In memory only: a crash loses the messages, stopping fails them.
			 */
			MEMORY,

			/**
			 * In a file of the outbox directory: QoS 1 and QoS 2 messages survive a crash
			 * or stop and are published again on the next start.
			 */
			FILE

		}

	}

}
