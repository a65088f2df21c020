package io.mqttboot.listener.adapter;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.listener.MqttAcknowledgment;
import io.mqttboot.listener.MqttListenerExecutionFailedException;
import io.mqttboot.listener.MqttMessageListener;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.support.MqttTopics;
import io.mqttboot.support.TopicTemplate;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Invokes an annotated listener method for each message: builds a spring-messaging
 * {@link Message} with the payload bytes and the {@link io.mqttboot.support.MqttHeaders}, lets the argument
 * resolvers convert and bind, and wraps any failure in a
 * {@link MqttListenerExecutionFailedException} that names the listener and the topic.
 * <p>
 * A method returning a {@link java.util.concurrent.CompletableFuture} (any
 * {@link CompletionStage}) is finished when the future completes: this adapter waits for
 * it, so the container acknowledges on normal completion and hands an exceptional one to
 * the retry and error handling, as for a thrown exception.
 * With an {@link MqttReplySender}, a non-null return value (for an asynchronous method,
 * the value its future completed with) is published as the MQTT 5 reply.
 *
 * @since 0.1.0
 */
public class MessagingMqttMessageListenerAdapter implements MqttMessageListener {

	/**
	 * No provided arguments, shared: the varargs call allocated an empty array per message
	 * (benchmark B11).
	 */
	private static final Object[] NO_PROVIDED_ARGUMENTS = {};

	private final String listenerId;

	private final InvocableHandlerMethod handlerMethod;

	private final List<TopicTemplate> templates;

	private final boolean hasVariables;

	private @Nullable MqttReplySender replySender;

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

	/**
	 * Set the sender that publishes the method's return value as the MQTT 5 reply (and,
	 * if enabled, answers failures with an error reply).
	 * @param replySender the sender, or {@code null} to discard return values
	 */
	public void setReplySender(@Nullable MqttReplySender replySender) {
		this.replySender = replySender;
	}

	@Override
	public void onMessage(MqttReceivedMessage message) {
		onMessage(message, null);
	}

	/**
	 * Invoke the method for a message, handing it an acknowledgment to acknowledge
	 * manually.
	 * @param message the message
	 * @param acknowledgment the acknowledgment for a {@link MqttAcknowledgment} parameter,
	 * or {@code null}
	 */
	public void onMessage(MqttReceivedMessage message, @Nullable MqttAcknowledgment acknowledgment) {
		Map<String, String> variables = variables(message);
		MqttReplySender replySender = this.replySender;
		Object result;
		try {
			Message<byte[]> request = MqttMessageMapper.toMessage(message, variables);
			if (acknowledgment != null) {
				request = MessageBuilder.fromMessage(request).setHeader(MqttHeaders.ACKNOWLEDGMENT, acknowledgment).build();
			}
			result = awaitIfAsync(this.handlerMethod.invoke(request, NO_PROVIDED_ARGUMENTS));
		}
		catch (Exception ex) {
			if (replySender != null && replySender.sendErrorReply(message, ex, variables)) {
				return;
			}
			throw new MqttListenerExecutionFailedException(this.listenerId, message.getTopic(), ex);
		}
		if (result != null && replySender != null) {
			try {
				replySender.sendReply(message, result, variables);
			}
			catch (RuntimeException ex) {
				throw new MqttListenerExecutionFailedException(this.listenerId, message.getTopic(), ex);
			}
		}
	}

	/**
	 * Wait for the result of an asynchronous method: the message is finished only when the
	 * future completed.
	 * @param result the method's return value
	 * @return the value the future completed with, or the result itself
	 * @throws Exception the failure of the future
	 */
	private static @Nullable Object awaitIfAsync(@Nullable Object result) throws Exception {
		if (!(result instanceof CompletionStage<?> stage)) {
			return result;
		}
		try {
			return stage.toCompletableFuture().get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof Exception cause) {
				throw cause;
			}
			throw ex;
		}
	}

	private @Nullable Map<String, String> variables(MqttReceivedMessage message) {
		Map<String, String> variables = null;
		if (this.hasVariables && this.templates.size() == 1) {
			// One template (the usual case): extracting checks the match itself, without
			// validating and splitting filter and topic name once more per message (B11).
			try {
				return this.templates.get(0).extractVariables(message.getTopic());
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
		}
		if (this.hasVariables) {
			for (TopicTemplate template : this.templates) {
				if (MqttTopics.matches(template.getFilter(), message.getTopic())) {
					variables = template.extractVariables(message.getTopic());
					break;
				}
			}
		}
		return variables;
	}

	@Override
	public String toString() {
		return "MessagingMqttMessageListenerAdapter[" + this.listenerId + " -> " + this.handlerMethod.getShortLogMessage()
				+ "]";
	}

}
