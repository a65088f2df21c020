package io.mqttboot.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a single message from taking a client down.
 * <p>
 * A broker without QoS 2 either announces it (MQTT 5 CONNACK Maximum QoS [MQTT-3.2.2-9])
 * or, on MQTT 3.1.1, answers a QoS 2 PUBLISH in a way the client must treat as a protocol
 * error (RabbitMQ 3.10 sends PUBACK), upon which the client closes the connection. The
 * message is still unacknowledged, so the client sends it again on the next connection
 * [MQTT-4.4.0-1], and the connection is closed again, for ever. So publishes are sent
 * with at most the broker's or the configured ({@code mqtt.publish.max-qos}) maximum QoS,
 * and a message that the broker answered by ending the connection
 * {@value #MAX_CONNECTION_CUTS} times in a row is given up: its future fails, the client
 * drops it from its session on the next reconnect, and the other messages in flight are
 * published again.
 * <p>
 * Which message a connection ended on is not reported by the client; it is the oldest
 * unacknowledged one of the QoS the error concerns: messages are resent in order and the
 * broker answers in order, so messages sent before the culprit are acknowledged before
 * it ends the next connection and leave the race.
 */
final class MqttPublishGuard {

	/**
	 * How often in a row a message may end the connection before it is given up.
	 */
	static final int MAX_CONNECTION_CUTS = 3;

	private static final Log logger = LogFactory.getLog(MqttPublishGuard.class);

	private final String clientName;

	private final int configuredMaxQos;

	private final IntSupplier brokerMaxQos;

	private final Consumer<Runnable> completer;

	private final boolean persistentSession;

	// A hash map keeps publishing cheap; the oldest entry is searched for only when a
	// message ended a connection.
	private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	private final AtomicLong downgraded = new AtomicLong();

	private final AtomicLong givenUp = new AtomicLong();

	private final AtomicBoolean downgradeLogged = new AtomicBoolean();

	private final AtomicBoolean discardSession = new AtomicBoolean();

	/**
	 * Create a guard.
	 * @param clientName the client name, for messages
	 * @param configuredMaxQos the configured maximum QoS ({@code mqtt.publish.max-qos})
	 * @param brokerMaxQos the maximum QoS the broker announced on the current connection
	 * @param completer runs the completion of a given-up future off the network thread
	 * @param persistentSession whether reconnects resume the session, which then has to be
	 * discarded to drop a message
	 */
	MqttPublishGuard(String clientName, int configuredMaxQos, IntSupplier brokerMaxQos, Consumer<Runnable> completer,
			boolean persistentSession) {
		this.clientName = clientName;
		this.configuredMaxQos = configuredMaxQos;
		this.brokerMaxQos = brokerMaxQos;
		this.completer = completer;
		this.persistentSession = persistentSession;
	}

	/**
	 * Return the message to send: the given one, or a copy with the highest QoS allowed.
	 * @param publish the message
	 * @return the message to send
	 */
	OutboundPublish limitQos(OutboundPublish publish) {
		if (publish.qos() == 0) {
			return publish;
		}
		int broker = this.brokerMaxQos.getAsInt();
		int max = Math.min(this.configuredMaxQos, broker);
		if (publish.qos() <= max) {
			return publish;
		}
		this.downgraded.incrementAndGet();
		if (this.downgradeLogged.compareAndSet(false, true)) {
			String why = (broker < this.configuredMaxQos) ? "the broker accepts QoS " + broker + " at most (CONNACK Maximum QoS)"
					: "mqtt.publish.max-qos is " + this.configuredMaxQos;
			logger.warn("MQTT client '" + this.clientName + "': " + why + "; messages published with a higher QoS are"
					+ " sent with QoS " + max + " (first: topic '" + publish.topic() + "', QoS " + publish.qos()
					+ "). This is logged once; mqtt.messages.downgraded counts them");
		}
		return new OutboundPublish(publish.topic(), publish.payload(), max, publish.retain(), publish.userProperties(),
				publish.contentType(), publish.responseTopic(), publish.correlationData(), publish.messageExpiry());
	}

	/**
	 * Track a QoS 1 or 2 message handed to the client until it completes.
	 * @param publish the message as sent
	 * @param result the future of the caller
	 * @return the tracking entry, or {@code null} for QoS 0 (never sent again)
	 */
	@Nullable Pending sent(OutboundPublish publish, CompletableFuture<MqttPublishResult> result) {
		if (publish.qos() == 0) {
			return null;
		}
		Pending entry = new Pending(this.sequence.incrementAndGet(), publish, result);
		this.pending.put(entry.id, entry);
		return entry;
	}

	/**
	 * Stop tracking a message the client completed (acknowledged or failed).
	 * @param entry the entry from {@link #sent}, or {@code null}
	 */
	void completed(@Nullable Pending entry) {
		if (entry != null) {
			this.pending.remove(entry.id);
		}
	}

	/**
	 * Called on the network thread when a connection ended. A connection ended because
	 * of the broker's answer to a message counts against the oldest unacknowledged
	 * message of the QoS concerned, which is given up once it reaches
	 * {@value #MAX_CONNECTION_CUTS}.
	 * @param offendingQos the QoS of the message the cause concerns, {@code 0} for a
	 * message of any QoS, or a negative value when the cause does not concern a message
	 * @param reason the description of the cause
	 */
	void connectionClosed(int offendingQos, String reason) {
		if (offendingQos < 0) {
			return;
		}
		Pending oldest = null;
		for (Pending entry : this.pending.values()) {
			if (entry.failure == null && (offendingQos == 0 || entry.publish.qos() == offendingQos)
					&& (oldest == null || entry.id < oldest.id)) {
				oldest = entry;
			}
		}
		if (oldest == null) {
			return;
		}
		oldest.cuts++;
		if (oldest.cuts >= MAX_CONNECTION_CUTS) {
			giveUp(oldest, reason);
		}
		else {
			logger.debug("MQTT client '" + this.clientName + "': connection closed (" + reason + ") while the message"
					+ " to topic '" + oldest.publish.topic() + "' awaited its acknowledgement (" + oldest.cuts + " of "
					+ MAX_CONNECTION_CUTS + " before it is given up)");
		}
	}

	private void giveUp(Pending entry, String reason) {
		OutboundPublish publish = entry.publish;
		String hint = (publish.qos() == 2)
				? " The broker probably does not support QoS 2: set mqtt.publish.max-qos=1 for it." : "";
		MqttPublishException failure = new MqttPublishException(publish.topic(), "Gave up publishing to topic '"
				+ publish.topic() + "' (QoS " + publish.qos() + ", payload " + publish.payload().length
				+ " bytes) with MQTT client '" + this.clientName + "': the connection was closed "
				+ MAX_CONNECTION_CUTS + " times in a row while the broker answered this message (" + reason
				+ "), and the client would send it again after every reconnect." + hint, null);
		entry.failure = failure;
		this.givenUp.incrementAndGet();
		this.discardSession.set(true);
		logger.error(failure.getMessage() + " The message is dropped from the client's session on the next"
				+ " reconnect" + (this.persistentSession ? ", which starts a clean session: messages the broker holds"
						+ " for this client's subscriptions then are lost" : "")
				+ "; mqtt.messages.given-up counts it");
		this.completer.accept(() -> entry.result.completeExceptionally(failure));
	}

	/**
	 * Return, once, whether the next reconnect must drop the client's session state to
	 * get rid of a message that was given up.
	 * @return whether to drop the session state
	 */
	boolean takeDiscardSession() {
		return this.discardSession.getAndSet(false);
	}

	/**
	 * Return how many messages were sent with a lower QoS than asked for.
	 * @return the count
	 */
	long getDowngradedCount() {
		return this.downgraded.get();
	}

	/**
	 * Return how many messages were given up.
	 * @return the count
	 */
	long getGivenUpCount() {
		return this.givenUp.get();
	}

	/**
	 * A QoS 1 or 2 message handed to the client and not completed yet.
	 */
	static final class Pending {

		private final long id;

		private final OutboundPublish publish;

		private final CompletableFuture<MqttPublishResult> result;

		// Written on the network thread only.
		private int cuts;

		private volatile @Nullable MqttPublishException failure;

		Pending(long id, OutboundPublish publish, CompletableFuture<MqttPublishResult> result) {
			this.id = id;
			this.publish = publish;
			this.result = result;
		}

		/**
		 * Return why the message was given up.
		 * @return the failure of its future, or {@code null} if it was not given up
		 */
		@Nullable MqttPublishException getFailure() {
			return this.failure;
		}

	}

}
