package io.mqttboot.listener.adapter;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttOperations.PublishBuilder;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.support.MqttTopics;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.util.Assert;

/**
 * Publishes the return value of a listener method as the MQTT 5 reply to the message it
 * processed: to the request's response topic with its correlation data, else to the
 * listener's {@code @SendTo} topic (template levels such as {@code {deviceId}} take the
 * values of the listener's topic variables). A reply with neither is dropped, logged at
 * WARN and counted ({@code mqtt.replies.dropped}, {@code reason=no-response-topic}).
 * <p>
 * The reply goes out on the listener's own client. A {@link Message} return value sets
 * reply properties through its headers: {@link MqttHeaders#QOS}, {@link MqttHeaders#RETAINED},
 * {@link MqttHeaders#USER_PROPERTIES} (a {@code Map<String, String>}),
 * {@link MessageHeaders#CONTENT_TYPE} and {@link MqttHeaders#TOPIC} (overrides the
 * destination). The reply is published before the request is acknowledged: the method
 * waits for the broker's acknowledgement of a QoS 1/2 reply, and a failed reply publish
 * fails the message like an exception of the method (retries, then the error handler).
 *
 * @since 0.1.0
 */
public class MqttReplySender {

	private static final Log logger = LogFactory.getLog(MqttReplySender.class);

	private static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)\\}");

	private final String listenerId;

	private final MqttTemplate template;

	private final @Nullable String sendTo;

	private final boolean replyOnError;

	/**
	 * Create a sender.
	 * @param listenerId the listener id, for messages
	 * @param template the template of the listener's client
	 * @param sendTo the {@code @SendTo} topic name or template, or {@code null}
	 * @param replyOnError whether a failure of the method is answered with an error reply
	 */
	public MqttReplySender(String listenerId, MqttTemplate template, @Nullable String sendTo, boolean replyOnError) {
		this.listenerId = listenerId;
		this.template = template;
		this.sendTo = sendTo;
		this.replyOnError = replyOnError;
	}

	/**
	 * Check a {@code @SendTo} value: a topic name whose {@code {name}} levels are
	 * variables of the listener's topics.
	 * @param sendTo the value
	 * @param variables the listener's topic variables
	 * @throws IllegalArgumentException if the value cannot become a topic name
	 */
	public static void validateSendTo(String sendTo, java.util.Collection<String> variables) {
		Matcher matcher = VARIABLE.matcher(sendTo);
		StringBuilder sample = new StringBuilder();
		while (matcher.find()) {
			String name = matcher.group(1);
			Assert.isTrue(variables.contains(name), () -> "@SendTo(\"" + sendTo + "\") uses {" + name
					+ "}, which is not a variable of the listener's topics " + variables);
			matcher.appendReplacement(sample, "x");
		}
		matcher.appendTail(sample);
		try {
			MqttTopics.validateTopicName(sample.toString());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("@SendTo(\"" + sendTo + "\") is not a topic name: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Publish the return value of the listener method as the reply to a message. A
	 * {@link CompletionStage} is answered with its value when it completes (without
	 * waiting for it).
	 * @param request the message the method processed
	 * @param result the return value, not {@code null}
	 * @param variables the topic variables of the message, or {@code null}
	 */
	public void sendReply(MqttReceivedMessage request, Object result, @Nullable Map<String, String> variables) {
		if (result instanceof CompletionStage<?> stage) {
			stage.whenComplete((value, ex) -> {
				try {
					if (ex != null) {
						sendErrorReply(request, ex, variables);
					}
					else if (value != null) {
						publish(request, value, variables, false);
					}
				}
				catch (RuntimeException failure) {
					logger.error("Listener '" + this.listenerId + "' could not send the reply to the message from topic '"
							+ request.getTopic() + "'", failure);
				}
			});
			return;
		}
		publish(request, result, variables, true);
	}

	/**
	 * Answer a failure of the listener method with an error reply, if the listener opted
	 * in and the request has somewhere to reply to. The reply carries the user property
	 * {@value MqttTemplate#ERROR_PROPERTY} with the exception class and the error message
	 * as UTF-8 payload.
	 * @param request the message the method failed on
	 * @param failure the failure
	 * @param variables the topic variables of the message, or {@code null}
	 * @return {@code true} if the error reply was published (the message then counts as
	 * processed), {@code false} to handle the failure as usual
	 */
	public boolean sendErrorReply(MqttReceivedMessage request, Throwable failure,
			@Nullable Map<String, String> variables) {
		if (!this.replyOnError || destination(request, variables, null) == null) {
			return false;
		}
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
		String text = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getName();
		String destination = destination(request, variables, null);
		Assert.state(destination != null, "No destination");
		PublishBuilder reply = this.template.newMessage(text.getBytes(StandardCharsets.UTF_8))
			.topic(destination)
			.userProperty(MqttTemplate.ERROR_PROPERTY, cause.getClass().getName())
			.contentType("text/plain");
		byte[] correlationData = request.getCorrelationData();
		if (correlationData != null) {
			reply.correlationData(correlationData);
		}
		try {
			reply.publish();
		}
		catch (RuntimeException ex) {
			failure.addSuppressed(ex);
			return false;
		}
		logger.debug("Listener '" + this.listenerId + "' answered a failure on topic '" + request.getTopic()
				+ "' with an error reply to '" + destination + "'");
		return true;
	}

	private void publish(MqttReceivedMessage request, Object result, @Nullable Map<String, String> variables,
			boolean await) {
		Object payload = result;
		MessageHeaders headers = null;
		if (result instanceof Message<?> message) {
			payload = message.getPayload();
			headers = message.getHeaders();
		}
		String destination = destination(request, variables, headers);
		if (destination == null) {
			this.template.getClientManager().getReplyCorrelator().recordUndeliverableReply();
			logger.warn("Listener '" + this.listenerId + "' returned a reply to the message from topic '"
					+ request.getTopic() + "', but the message has no response topic and the listener no @SendTo:"
					+ " the reply is dropped (meter mqtt.replies.dropped, reason=no-response-topic)");
			return;
		}
		PublishBuilder reply = this.template.newMessage(payload).topic(destination);
		byte[] correlationData = request.getCorrelationData();
		if (correlationData != null) {
			reply.correlationData(correlationData);
		}
		if (headers != null) {
			apply(headers, reply);
		}
		if (await) {
			reply.publish();
		}
		else {
			reply.publishAsync().whenComplete((ignored, ex) -> {
				if (ex != null) {
					logger.error("Listener '" + this.listenerId + "' could not publish the reply to '" + destination
							+ "'", ex);
				}
			});
		}
	}

	private static void apply(MessageHeaders headers, PublishBuilder reply) {
		if (headers.get(MqttHeaders.QOS) instanceof Number qos) {
			reply.qos(qos.intValue());
		}
		if (headers.get(MqttHeaders.RETAINED) instanceof Boolean retained) {
			reply.retain(retained);
		}
		if (headers.get(MqttHeaders.USER_PROPERTIES) instanceof Map<?, ?> properties) {
			properties.forEach((key, value) -> reply.userProperty(String.valueOf(key), String.valueOf(value)));
		}
		Object contentType = headers.get(MessageHeaders.CONTENT_TYPE);
		if (contentType != null) {
			reply.contentType(contentType.toString());
		}
	}

	private @Nullable String destination(MqttReceivedMessage request, @Nullable Map<String, String> variables,
			@Nullable MessageHeaders headers) {
		if (headers != null && headers.get(MqttHeaders.TOPIC) instanceof String topic) {
			return topic;
		}
		if (request.getResponseTopic() != null) {
			return request.getResponseTopic();
		}
		String sendTo = this.sendTo;
		if (sendTo == null) {
			return null;
		}
		if (sendTo.indexOf('{') < 0) {
			return sendTo;
		}
		Matcher matcher = VARIABLE.matcher(sendTo);
		StringBuilder topic = new StringBuilder();
		while (matcher.find()) {
			String value = (variables != null) ? variables.get(matcher.group(1)) : null;
			matcher.appendReplacement(topic, Matcher.quoteReplacement((value != null) ? value : ""));
		}
		matcher.appendTail(topic);
		return topic.toString();
	}

	@Override
	public String toString() {
		return "MqttReplySender[" + this.listenerId + ", sendTo=" + this.sendTo + ", replyOnError=" + this.replyOnError
				+ "]";
	}

}
