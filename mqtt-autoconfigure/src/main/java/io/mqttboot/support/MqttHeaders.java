package io.mqttboot.support;

/**
 * Names of the message headers that carry MQTT attributes. The values equal those of
 * Spring Integration's {@code org.springframework.integration.mqtt.support.MqttHeaders}, so
 * that code moves between the two without changes.
 *
 * @since 0.1.0
 */
public final class MqttHeaders {

	/**
	 * Prefix of all MQTT header names.
	 */
	public static final String PREFIX = "mqtt_";

	/**
	 * The topic name a received message was published to.
	 */
	public static final String RECEIVED_TOPIC = PREFIX + "receivedTopic";

	/**
	 * The QoS a message was received with ({@code Integer}).
	 */
	public static final String RECEIVED_QOS = PREFIX + "receivedQos";

	/**
	 * Whether a message was received as a retained message ({@code Boolean}).
	 */
	public static final String RECEIVED_RETAINED = PREFIX + "receivedRetained";

	/**
	 * Whether the broker flagged the message as a redelivery ({@code Boolean}). The HiveMQ
	 * client does not expose the DUP flag, so it is always {@code false}.
	 */
	public static final String DUPLICATE = PREFIX + "duplicate";

	/**
	 * The topic name to publish to (outbound).
	 */
	public static final String TOPIC = PREFIX + "topic";

	/**
	 * The QoS to publish with (outbound).
	 */
	public static final String QOS = PREFIX + "qos";

	/**
	 * Whether to publish as retained (outbound).
	 */
	public static final String RETAINED = PREFIX + "retained";

	/**
	 * MQTT 5 response topic.
	 */
	public static final String RESPONSE_TOPIC = PREFIX + "responseTopic";

	/**
	 * MQTT 5 correlation data ({@code byte[]}).
	 */
	public static final String CORRELATION_DATA = PREFIX + "correlationData";

	/**
	 * MQTT 5 message expiry interval in seconds ({@code Long}).
	 */
	public static final String MESSAGE_EXPIRY_INTERVAL = PREFIX + "messageExpiryInterval";

	/**
	 * All MQTT 5 user properties of a received message ({@code Map<String, String>}, the
	 * last value wins for repeated keys). Each user property is also a header of its own
	 * unless its name clashes with another header.
	 */
	public static final String USER_PROPERTIES = PREFIX + "userProperties";

	/**
	 * The values of the {@code {name}} levels of the listener's topic template
	 * ({@code Map<String, String>}).
	 */
	public static final String TOPIC_VARIABLES = PREFIX + "topicVariables";

	/**
	 * The {@code io.mqttboot.core.MqttReceivedMessage} itself, for listeners that want the
	 * raw message.
	 */
	public static final String RECEIVED_MESSAGE = PREFIX + "receivedMessage";

	/**
	 * The name of the client that received the message.
	 */
	public static final String CLIENT = PREFIX + "client";

	private MqttHeaders() {
	}

}
