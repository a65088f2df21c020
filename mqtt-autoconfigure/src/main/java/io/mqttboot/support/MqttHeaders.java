package io.mqttboot.support;

import org.springframework.messaging.MessageHeaders;

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
	 * last value wins for repeated keys), under their own names. Each user property is
	 * also a header of its own, named as {@link #userPropertyHeaderName(String)} says.
	 */
	public static final String USER_PROPERTIES = PREFIX + "userProperties";

	/**
	 * Prefix of the header that carries a received user property whose name is reserved:
	 * a user property {@code id} is the header {@code mqtt_userProperty_id}.
	 * @see #userPropertyHeaderName(String)
	 */
	public static final String USER_PROPERTY_PREFIX = PREFIX + "userProperty_";

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

	/**
	 * The {@code io.mqttboot.listener.MqttAcknowledgment} of a listener that acknowledges
	 * manually.
	 */
	public static final String ACKNOWLEDGMENT = PREFIX + "acknowledgment";

	private MqttHeaders() {
	}

	/**
	 * Return the name of the header that carries a received MQTT 5 user property. A user
	 * property is a header under its own name, except when that name is reserved: the
	 * spring-messaging headers {@code id}, {@code timestamp}, {@code contentType},
	 * {@code replyChannel} and {@code errorChannel}, and every name starting with
	 * {@value #PREFIX}. Those are prefixed with {@value #USER_PROPERTY_PREFIX}, so a peer
	 * can neither break {@code MessageHeaders.getId()} or {@code getTimestamp()}, nor
	 * choose the converter through {@code contentType}, nor spoof an MQTT header such as
	 * {@link #RECEIVED_TOPIC} or the outbound {@link #TOPIC}.
	 * @param name the user property name
	 * @return the header name: {@code name}, or {@code mqtt_userProperty_<name>} for a
	 * reserved name
	 */
	public static String userPropertyHeaderName(String name) {
		return isReservedHeaderName(name) ? USER_PROPERTY_PREFIX + name : name;
	}

	private static boolean isReservedHeaderName(String name) {
		if (name.startsWith(PREFIX)) {
			return true;
		}
		return switch (name) {
			case MessageHeaders.ID, MessageHeaders.TIMESTAMP, MessageHeaders.CONTENT_TYPE,
					MessageHeaders.REPLY_CHANNEL, MessageHeaders.ERROR_CHANNEL -> true;
			default -> false;
		};
	}

}
