package io.mqttboot.listener.adapter;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.listener.MqttListenerExecutionFailedException;
import io.mqttboot.listener.MqttMessageListener;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.support.TopicTemplate;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Invokes an annotated listener method for each message: builds a spring-messaging
 * {@link Message} with the payload bytes and the {@link MqttHeaders}, lets the argument
 * resolvers convert and bind, and wraps any failure in a
 * {@link MqttListenerExecutionFailedException} that names the listener and the topic.
 *
 * @since 0.1.0
 */
public class MessagingMqttMessageListenerAdapter implements MqttMessageListener {

	private final String listenerId;

	private final InvocableHandlerMethod handlerMethod;

	private final List<TopicTemplate> templates;

	private final boolean hasVariables;

	/**
	 * Create an adapter.
	 * @param listenerId the listener id
	 * @param handlerMethod the method to invoke
	 * @param templates the listener's topic templates, to bind {@code {name}} levels
	 */
	public MessagingMqttMessageListenerAdapter(String listenerId, InvocableHandlerMethod handlerMethod,
			List<TopicTemplate> templates) {
		this.listenerId = listenerId;
		this.handlerMethod = handlerMethod;
		this.templates = List.copyOf(templates);
		this.hasVariables = templates.stream().anyMatch((template) -> !template.getVariableNames().isEmpty());
	}

	@Override
	public void onMessage(MqttReceivedMessage message) {
		try {
			this.handlerMethod.invoke(toMessage(message));
		}
		catch (Exception ex) {
			throw new MqttListenerExecutionFailedException(this.listenerId, message.getTopic(), ex);
		}
	}

	private Message<byte[]> toMessage(MqttReceivedMessage message) {
		Map<String, Object> headers = new HashMap<>();
		List<Map.Entry<String, String>> userProperties = message.getUserProperties();
		if (!userProperties.isEmpty()) {
			Map<String, String> properties = new LinkedHashMap<>();
			for (Map.Entry<String, String> property : userProperties) {
				properties.put(property.getKey(), property.getValue());
				headers.putIfAbsent(property.getKey(), property.getValue());
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
		if (this.hasVariables) {
			for (TopicTemplate template : this.templates) {
				if (io.mqttboot.support.MqttTopics.matches(template.getFilter(), message.getTopic())) {
					headers.put(MqttHeaders.TOPIC_VARIABLES, template.extractVariables(message.getTopic()));
					break;
				}
			}
		}
		return MessageBuilder.createMessage(message.getPayload(), new MessageHeaders(headers));
	}

	@Override
	public String toString() {
		return "MessagingMqttMessageListenerAdapter[" + this.listenerId + " -> " + this.handlerMethod.getShortLogMessage()
				+ "]";
	}

}
