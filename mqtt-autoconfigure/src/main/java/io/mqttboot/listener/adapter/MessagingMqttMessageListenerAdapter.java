package io.mqttboot.listener.adapter;

import java.util.List;
import java.util.Map;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.listener.MqttListenerExecutionFailedException;
import io.mqttboot.listener.MqttMessageListener;
import io.mqttboot.support.MqttTopics;
import io.mqttboot.support.TopicTemplate;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;

/**
 * Invokes an annotated listener method for each message: builds a spring-messaging
 * {@link Message} with the payload bytes and the {@link io.mqttboot.support.MqttHeaders}, lets the argument
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
		Map<String, String> variables = null;
		if (this.hasVariables) {
			for (TopicTemplate template : this.templates) {
				if (MqttTopics.matches(template.getFilter(), message.getTopic())) {
					variables = template.extractVariables(message.getTopic());
					break;
				}
			}
		}
		return MqttMessageMapper.toMessage(message, variables);
	}

	@Override
	public String toString() {
		return "MessagingMqttMessageListenerAdapter[" + this.listenerId + " -> " + this.handlerMethod.getShortLogMessage()
				+ "]";
	}

}
