package io.mqttboot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for MQTT: the default client under {@code mqtt.*} and extra
 * clients under {@code mqtt.clients.<name>.*}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("mqtt")
public class MqttProperties extends MqttClientProperties {

	/**
	 * Maximum time to wait on shutdown for listeners to finish and outgoing messages to be
	 * acknowledged before disconnecting.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	/**
	 * Extra clients, each with its own connection, by name.
	 */
	private final Map<String, MqttClientProperties> clients = new LinkedHashMap<>();

	private final Listener listener = new Listener();

	private final RequestReply requestReply = new RequestReply();

	private final Receive receive = new Receive();

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Map<String, MqttClientProperties> getClients() {
		return this.clients;
	}

	public Listener getListener() {
		return this.listener;
	}

	public RequestReply getRequestReply() {
		return this.requestReply;
	}

	public Receive getReceive() {
		return this.receive;
	}

	/**
	 * MQTT 5 request/reply of MqttTemplate.sendAndReceive, for all clients.
	 */
	public static class RequestReply {

		/**
		 * Prefix of each client's reply topic; the client id is appended. The client
		 * subscribes to its reply topic on its first request and on every connection after
		 * that.
		 */
		private String topicPrefix = "mqtt-replies/";

		public String getTopicPrefix() {
			return this.topicPrefix;
		}

		public void setTopicPrefix(String topicPrefix) {
			this.topicPrefix = topicPrefix;
		}

	}

	/**
	 * Pulling messages with MqttTemplate.receive, for all clients.
	 */
	public static class Receive {

		/**
		 * Maximum number of messages buffered per topic filter until receive() takes them;
		 * further messages are acknowledged and dropped (meter mqtt.receive.overflow).
		 */
		private int bufferCapacity = 1000;

		public int getBufferCapacity() {
			return this.bufferCapacity;
		}

		public void setBufferCapacity(int bufferCapacity) {
			this.bufferCapacity = bufferCapacity;
		}

	}

	/**
	 * Defaults of @MqttListener containers.
	 */
	public static class Listener {

		/**
		 * Number of threads per listener. Messages of one topic are processed in order.
		 */
		private int concurrency = 1;

		/**
		 * Maximum number of queued QoS 0 messages per listener thread; more are dropped
		 * and counted. QoS 1 and 2 messages are bounded by the broker's flow control.
		 */
		private int queueCapacity = 10000;

		/**
		 * Whether listeners start with the application.
		 */
		private boolean autoStartup = true;

		/**
		 * Whether each topic gets a serial queue of its own that the listener threads take
		 * turns on, rather than each thread owning the topics hashed to it. Pays off when
		 * listeners block (I/O). Default: on when a listener has more than one thread
		 * (concurrency > 1) or its threads are virtual (spring.threads.virtual.enabled=true
		 * on Java 21+), else off.
		 */
		private @Nullable Boolean perTopicLanes;

		private final Retry retry = new Retry();

		private final DeadLetter deadLetter = new DeadLetter();

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public @Nullable Boolean getPerTopicLanes() {
			return this.perTopicLanes;
		}

		public void setPerTopicLanes(@Nullable Boolean perTopicLanes) {
			this.perTopicLanes = perTopicLanes;
		}

		public boolean isAutoStartup() {
			return this.autoStartup;
		}

		public void setAutoStartup(boolean autoStartup) {
			this.autoStartup = autoStartup;
		}

		public Retry getRetry() {
			return this.retry;
		}

		public DeadLetter getDeadLetter() {
			return this.deadLetter;
		}

	}

	/**
	 * Retry of failed listener invocations, with exponential back-off. Conversion failures
	 * are not retried.
	 */
	public static class Retry {

		/**
		 * Maximum number of invocations of a listener for one message, including the first.
		 */
		private int maxAttempts = 3;

		/**
		 * Delay before the first retry.
		 */
		private Duration initialInterval = Duration.ofMillis(500);

		/**
		 * Factor applied to the delay after each retry.
		 */
		private double multiplier = 2.0;

		/**
		 * Maximum delay between retries.
		 */
		private Duration maxInterval = Duration.ofSeconds(10);

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMaxInterval() {
			return this.maxInterval;
		}

		public void setMaxInterval(Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

	}

	/**
	 * Dead-letter publishing of messages whose listener failed after all retries.
	 */
	public static class DeadLetter {

		/**
		 * Whether to publish failed messages to a dead-letter topic instead of only logging
		 * them.
		 */
		private boolean enabled;

		/**
		 * Prefix put in front of the original topic name to form the dead-letter topic.
		 */
		private String topicPrefix = "dlt/";

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getTopicPrefix() {
			return this.topicPrefix;
		}

		public void setTopicPrefix(String topicPrefix) {
			this.topicPrefix = topicPrefix;
		}

	}

}
