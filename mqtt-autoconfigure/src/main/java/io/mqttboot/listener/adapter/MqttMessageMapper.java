package io.mqttboot.listener.adapter;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.support.MqttHeaders;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.GenericMessage;
import org.springframework.util.ObjectUtils;

/**
 * Maps a received MQTT message to a spring-messaging {@link Message} with the payload
 * bytes and the {@link MqttHeaders}, for listener methods and Spring Integration flows
 * alike.
 *
 * @since 0.1.0
 */
public final class MqttMessageMapper {

	private MqttMessageMapper() {
	}

	/**
	 * Map a received message.
	 * @param message the received message
	 * @param topicVariables values of the listener's template levels, or {@code null}
	 * @return the message, payload {@code byte[]}
	 */
	public static Message<byte[]> toMessage(MqttReceivedMessage message, @Nullable Map<String, String> topicVariables) {
		return new LazyHeadersMessage(message, topicVariables);
	}

	/**
	 * Return the topic variables of a message: taken from a message of
	 * {@link #toMessage(MqttReceivedMessage, Map)} without building its headers (a
	 * {@code @TopicVariable} parameter would otherwise build the whole header map of every
	 * message, benchmark B11), else from its {@link MqttHeaders#TOPIC_VARIABLES} header.
	 * @param message the message
	 * @return the variables, or {@code null} if it has none
	 */
	static @Nullable Object topicVariables(Message<?> message) {
		if (message instanceof LazyHeadersMessage lazy) {
			return lazy.topicVariables;
		}
		return message.getHeaders().get(MqttHeaders.TOPIC_VARIABLES);
	}

	/**
	 * A message whose headers are built on first access: a listener that only takes the
	 * payload never pays for them (building the header map was most of a listener thread's
	 * work per message in benchmark B1).
	 */
	private static final class LazyHeadersMessage implements Message<byte[]>, Serializable {

		private static final long serialVersionUID = 1L;

		private final transient MqttReceivedMessage message;

		private final transient @Nullable Map<String, String> topicVariables;

		private @Nullable MessageHeaders headers;

		LazyHeadersMessage(MqttReceivedMessage message, @Nullable Map<String, String> topicVariables) {
			this.message = message;
			this.topicVariables = topicVariables;
		}

		@Override
		public byte[] getPayload() {
			return this.message.getPayload();
		}

		@Override
		public MessageHeaders getHeaders() {
			MessageHeaders headers = this.headers;
			if (headers == null) {
				headers = new MqttMessageHeaders(this.message, this.topicVariables);
				this.headers = headers;
			}
			return headers;
		}

		@Override
		public boolean equals(@Nullable Object other) {
			return this == other || (other instanceof LazyHeadersMessage that
					&& ObjectUtils.nullSafeEquals(getPayload(), that.getPayload())
					&& getHeaders().equals(that.getHeaders()));
		}

		@Override
		public int hashCode() {
			return ObjectUtils.nullSafeHashCode(getPayload()) * 23 + getHeaders().hashCode();
		}

		@Override
		public String toString() {
			return "GenericMessage [payload=byte[" + getPayload().length + "], headers=" + getHeaders() + "]";
		}

		private Object writeReplace() {
			return new GenericMessage<>(getPayload(), getHeaders());
		}

	}

	/**
	 * Headers without the generated id and timestamp: MQTT messages have no use for them,
	 * and generating a random UUID per message was the largest single cost of dispatching
	 * (benchmark B1 profile). Filled in place rather than copied from a second map.
	 */
	private static final class MqttMessageHeaders extends MessageHeaders {

		MqttMessageHeaders(MqttReceivedMessage message, @Nullable Map<String, String> topicVariables) {
			super(null, ID_VALUE_NONE, -1L);
			Map<String, Object> headers = getRawHeaders();
			List<Map.Entry<String, String>> userProperties = message.getUserProperties();
			if (!userProperties.isEmpty()) {
				Map<String, String> properties = new LinkedHashMap<>();
				for (Map.Entry<String, String> property : userProperties) {
					properties.put(property.getKey(), property.getValue());
					// Reserved names (id, timestamp, contentType, mqtt_…) go under a prefix:
					// MessageHeaders.getId() would throw on a String, and a peer must not
					// choose the converter or spoof an MQTT header.
					headers.putIfAbsent(MqttHeaders.userPropertyHeaderName(property.getKey()), property.getValue());
				}
				headers.put(MqttHeaders.USER_PROPERTIES, properties);
			}
			headers.put(MqttHeaders.RECEIVED_TOPIC, message.getTopic());
			headers.put(MqttHeaders.RECEIVED_QOS, message.getQos());
			headers.put(MqttHeaders.RECEIVED_RETAINED, message.isRetained());
			headers.put(MqttHeaders.DUPLICATE, message.isDuplicate());
			headers.put(MqttHeaders.CLIENT, message.getClientName());
			headers.put(MqttHeaders.RECEIVED_MESSAGE, message);
			if (message.getContentType() != null) {
				headers.put(MessageHeaders.CONTENT_TYPE, message.getContentType());
			}
			if (message.getResponseTopic() != null) {
				headers.put(MqttHeaders.RESPONSE_TOPIC, message.getResponseTopic());
			}
			if (message.getCorrelationData() != null) {
				headers.put(MqttHeaders.CORRELATION_DATA, message.getCorrelationData());
			}
			if (message.getMessageExpiry() != null) {
				headers.put(MqttHeaders.MESSAGE_EXPIRY_INTERVAL, message.getMessageExpiry().toSeconds());
			}
			if (topicVariables != null) {
				headers.put(MqttHeaders.TOPIC_VARIABLES, topicVariables);
			}
		}

	}

}
