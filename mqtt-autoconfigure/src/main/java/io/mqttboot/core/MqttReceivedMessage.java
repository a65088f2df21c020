package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;

/**
 * A message received from the broker, before conversion. QoS 1 and QoS 2 messages are
 * acknowledged to the broker only when {@link #acknowledge()} is called, which the
 * listener container does after every matching listener finished.
 * <p>
 * The HiveMQ client does not expose the DUP flag of incoming PUBLISH packets, so
 * {@link #isDuplicate()} is always {@code false}; redeliveries are recognisable by content.
 *
 * @since 0.1.0
 */
public final class MqttReceivedMessage {

	private static final AtomicIntegerFieldUpdater<MqttReceivedMessage> ACKNOWLEDGED = AtomicIntegerFieldUpdater
		.newUpdater(MqttReceivedMessage.class, "acknowledged");

	private final String clientName;

	private final String topic;

	private final byte[] payload;

	private final int qos;

	private final boolean retained;

	private final List<Map.Entry<String, String>> userProperties;

	private final @Nullable String contentType;

	private final @Nullable String responseTopic;

	private final byte @Nullable [] correlationData;

	private final @Nullable Duration messageExpiry;

	private final boolean utf8Payload;

	private final Runnable acknowledgement;

	/** 1 once acknowledged: a field, not an {@code AtomicBoolean} per message (benchmark B11). */
	private volatile int acknowledged;

	/**
	 * Create a message received on a connection, for the engine.
	 * <p>
	 * Internal: not for use by applications (see {@link #of}); may change without notice.
	 * @param clientName the name of the client that received the message
	 * @param topic the topic name
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retained the retain flag
	 * @param userProperties MQTT 5 user properties in order
	 * @param contentType MQTT 5 content type
	 * @param responseTopic MQTT 5 response topic
	 * @param correlationData MQTT 5 correlation data
	 * @param messageExpiry MQTT 5 message expiry interval
	 * @param acknowledgement acknowledges the message to the broker
	 */
	public MqttReceivedMessage(String clientName, String topic, byte[] payload, int qos, boolean retained,
			List<Map.Entry<String, String>> userProperties, @Nullable String contentType,
			@Nullable String responseTopic, byte @Nullable [] correlationData, @Nullable Duration messageExpiry,
			Runnable acknowledgement) {
		this(clientName, topic, payload, qos, retained, userProperties, contentType, responseTopic, correlationData,
				messageExpiry, false, acknowledgement);
	}

	/**
	 * Create a message received on a connection, for the engine.
	 * <p>
	 * Internal: not for use by applications (see {@link #of}); may change without notice.
	 * @param clientName the name of the client that received the message
	 * @param topic the topic name
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retained the retain flag
	 * @param userProperties MQTT 5 user properties in order
	 * @param contentType MQTT 5 content type
	 * @param responseTopic MQTT 5 response topic
	 * @param correlationData MQTT 5 correlation data
	 * @param messageExpiry MQTT 5 message expiry interval
	 * @param utf8Payload MQTT 5 payload format indicator: whether the payload is UTF-8 text
	 * @param acknowledgement acknowledges the message to the broker
	 */
	public MqttReceivedMessage(String clientName, String topic, byte[] payload, int qos, boolean retained,
			List<Map.Entry<String, String>> userProperties, @Nullable String contentType,
			@Nullable String responseTopic, byte @Nullable [] correlationData, @Nullable Duration messageExpiry,
			boolean utf8Payload, Runnable acknowledgement) {
		this.clientName = clientName;
		this.topic = topic;
		this.payload = payload;
		this.qos = qos;
		this.retained = retained;
		this.userProperties = userProperties;
		this.contentType = contentType;
		this.responseTopic = responseTopic;
		this.correlationData = correlationData;
		this.messageExpiry = messageExpiry;
		this.utf8Payload = utf8Payload;
		this.acknowledgement = acknowledgement;
	}

	/**
	 * Create a message that is not tied to a connection, for tests and for replaying
	 * messages through a listener.
	 * @param topic the topic name
	 * @param payload the payload
	 * @param qos the QoS
	 * @return the message; acknowledging it does nothing
	 */
	public static MqttReceivedMessage of(String topic, byte[] payload, int qos) {
		return new MqttReceivedMessage("default", topic, payload, qos, false, List.of(), null, null, null, null,
				() -> {
				});
	}

	/**
	 * Return a copy of this message with another acknowledgement, for handing one message
	 * to several consumers that each acknowledge it.
	 * @param acknowledgement what acknowledging the copy does
	 * @return the copy
	 */
	MqttReceivedMessage withAcknowledgement(Runnable acknowledgement) {
		return new MqttReceivedMessage(this.clientName, this.topic, this.payload, this.qos, this.retained,
				this.userProperties, this.contentType, this.responseTopic, this.correlationData, this.messageExpiry,
				this.utf8Payload, acknowledgement);
	}

	/**
	 * Return the name of the client that received the message.
	 * @return the client name
	 */
	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Return the topic name the message was published to.
	 * @return the topic name
	 */
	public String getTopic() {
		return this.topic;
	}

	/**
	 * Return the payload. The array is shared: do not modify it.
	 * @return the payload bytes
	 */
	public byte[] getPayload() {
		return this.payload;
	}

	/**
	 * Return the QoS the message was delivered with: the minimum of the publish and the
	 * subscription QoS.
	 * @return 0, 1 or 2
	 */
	public int getQos() {
		return this.qos;
	}

	/**
	 * Return whether the message was delivered as a retained message.
	 * @return the retain flag
	 */
	public boolean isRetained() {
		return this.retained;
	}

	/**
	 * Return whether the broker flagged the message as a redelivery. Always {@code false}:
	 * the HiveMQ client does not expose the DUP flag.
	 * @return {@code false}
	 */
	public boolean isDuplicate() {
		return false;
	}

	/**
	 * Return the MQTT 5 user properties in order.
	 * @return the user properties, empty on MQTT 3.1.1
	 */
	public List<Map.Entry<String, String>> getUserProperties() {
		return this.userProperties;
	}

	/**
	 * Return the MQTT 5 content type.
	 * @return the content type or {@code null}
	 */
	public @Nullable String getContentType() {
		return this.contentType;
	}

	/**
	 * Return the MQTT 5 response topic.
	 * @return the response topic or {@code null}
	 */
	public @Nullable String getResponseTopic() {
		return this.responseTopic;
	}

	/**
	 * Return the MQTT 5 correlation data.
	 * @return the correlation data or {@code null}
	 */
	public byte @Nullable [] getCorrelationData() {
		return this.correlationData;
	}

	/**
	 * Return the remaining MQTT 5 message expiry interval.
	 * @return the interval or {@code null}
	 */
	public @Nullable Duration getMessageExpiry() {
		return this.messageExpiry;
	}

	/**
	 * Return whether the MQTT 5 payload format indicator says the payload is UTF-8 text.
	 * @return {@code true} for payload format indicator 1, {@code false} when it is 0,
	 * absent, or the client speaks MQTT 3.1.1
	 */
	public boolean isUtf8Payload() {
		return this.utf8Payload;
	}

	/**
	 * Acknowledge the message to the broker (PUBACK for QoS 1, PUBREC for QoS 2); does
	 * nothing for QoS 0 and on repeated calls. Called by the listener infrastructure after
	 * processing; applications normally never call it.
	 */
	public void acknowledge() {
		if (ACKNOWLEDGED.compareAndSet(this, 0, 1)) {
			this.acknowledgement.run();
		}
	}

	/**
	 * Return whether {@link #acknowledge()} was called.
	 * @return whether the message was acknowledged
	 */
	public boolean isAcknowledged() {
		return this.acknowledged == 1;
	}

	@Override
	public String toString() {
		return "MqttReceivedMessage[topic=" + this.topic + ", qos=" + this.qos + ", retained=" + this.retained
				+ ", payload=" + this.payload.length + " bytes]";
	}

}
