package io.mqttboot.config;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.core.MqttVersion;
import io.mqttboot.listener.AcknowledgingMqttMessageListener;
import io.mqttboot.listener.MqttAckMode;
import io.mqttboot.listener.MqttAcknowledgment;
import io.mqttboot.listener.MqttMessageListener;
import io.mqttboot.listener.adapter.BatchMessagingMqttMessageListenerAdapter;
import io.mqttboot.listener.adapter.MessagingMqttMessageListenerAdapter;
import io.mqttboot.listener.adapter.MqttReplySender;
import io.mqttboot.listener.adapter.TopicVariableMethodArgumentResolver;
import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * A {@link MqttListenerEndpoint} that invokes a method of a bean, as declared with
 * {@link io.mqttboot.annotation.MqttListener @MqttListener}.
 *
 * @since 0.1.0
 */
public class MethodMqttListenerEndpoint extends AbstractMqttListenerEndpoint {

	private static final Log logger = LogFactory.getLog(MethodMqttListenerEndpoint.class);

	private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

	private @Nullable Object bean;

	private @Nullable Method method;

	private @Nullable MessageHandlerMethodFactory messageHandlerMethodFactory;

	private MqttAckMode ackMode = MqttAckMode.AUTO;

	private boolean batch;

	private @Nullable MqttMessageConverter messageConverter;

	private @Nullable String sendTo;

	private boolean replyOnError;

	private @Nullable MqttTemplate replyTemplate;

	/**
	 * Set the bean to invoke the method on.
	 * @param bean the bean
	 */
	public void setBean(Object bean) {
		this.bean = bean;
	}

	/**
	 * Set the method to invoke.
	 * @param method the method
	 */
	public void setMethod(Method method) {
		this.method = method;
	}

	/**
	 * Return the method to invoke.
	 * @return the method or {@code null}
	 */
	public @Nullable Method getMethod() {
		return this.method;
	}

	/**
	 * Set the factory that creates the invocable method with argument resolvers.
	 * @param messageHandlerMethodFactory the factory
	 */
	public void setMessageHandlerMethodFactory(MessageHandlerMethodFactory messageHandlerMethodFactory) {
		this.messageHandlerMethodFactory = messageHandlerMethodFactory;
	}

	/**
	 * Set when messages are acknowledged. A method with a {@link MqttAcknowledgment}
	 * parameter acknowledges manually whatever is set here.
	 * @param ackMode the mode
	 */
	public void setAckMode(MqttAckMode ackMode) {
		this.ackMode = ackMode;
	}

	/**
	 * Return when messages are acknowledged: {@link MqttAckMode#MANUAL} when set so or
	 * when the method has a {@link MqttAcknowledgment} parameter.
	 * @return the mode
	 */
	public MqttAckMode getAckMode() {
		return hasAcknowledgmentParameter() ? MqttAckMode.MANUAL : this.ackMode;
	}

	/**
	 * Set whether the method receives batches: a {@code List<T>}, {@code List<Message<T>>}
	 * or {@code List<MqttReceivedMessage>} as its only parameter.
	 * @param batch whether to deliver batches
	 */
	public void setBatch(boolean batch) {
		this.batch = batch;
	}

	/**
	 * Return whether the method receives batches.
	 * @return whether to deliver batches
	 */
	public boolean isBatch() {
		return this.batch;
	}

	/**
	 * Set the converter for the payloads of a batch.
	 * @param messageConverter the converter
	 */
	public void setMessageConverter(MqttMessageConverter messageConverter) {
		this.messageConverter = messageConverter;
	}

	/**
	 * Set where replies go when the request has no MQTT 5 response topic, as declared with
	 * {@code @SendTo}: a topic name whose {@code {name}} levels take the values of the
	 * listener's topic variables.
	 * @param sendTo the topic, or {@code null}
	 */
	public void setSendTo(@Nullable String sendTo) {
		this.sendTo = sendTo;
	}

	/**
	 * Set whether a failure of the method is answered with an error reply instead of the
	 * retry and error handling.
	 * @param replyOnError the flag
	 */
	public void setReplyOnError(boolean replyOnError) {
		this.replyOnError = replyOnError;
	}

	/**
	 * Set the template of the listener's client, which publishes the replies. Without one,
	 * return values are discarded.
	 * @param replyTemplate the template, or {@code null}
	 */
	public void setReplyTemplate(@Nullable MqttTemplate replyTemplate) {
		this.replyTemplate = replyTemplate;
	}

	@Override
	public MqttMessageListener createMessageListener() {
		Assert.state(this.bean != null && this.method != null && this.messageHandlerMethodFactory != null,
				"Bean, method and message handler method factory are required");
		InvocableHandlerMethod handlerMethod = this.messageHandlerMethodFactory.createInvocableHandlerMethod(this.bean,
				this.method);
		MqttAckMode mode = getAckMode();
		if (this.batch) {
			Assert.state(mode == MqttAckMode.AUTO, "a batch listener is acknowledged after it returns:"
					+ " ackMode MANUAL and MqttAcknowledgment parameters are not supported with batch = true");
			Assert.state(this.messageConverter != null, "A message converter is required for batch listeners");
			return new BatchMessagingMqttMessageListenerAdapter(getId(), handlerMethod, this.messageConverter);
		}
		validateTopicVariables(handlerMethod);
		MessagingMqttMessageListenerAdapter adapter = new MessagingMqttMessageListenerAdapter(getId(), handlerMethod,
				getTopicTemplates());
		adapter.setReplySender(replySender(this.method));
		if (mode == MqttAckMode.MANUAL) {
			Assert.state(hasAcknowledgmentParameter(), "ackMode MANUAL needs a MqttAcknowledgment parameter to"
					+ " acknowledge with");
			return new AcknowledgingAdapter(adapter);
		}
		return adapter;
	}

	private boolean hasAcknowledgmentParameter() {
		return this.method != null && Arrays.asList(this.method.getParameterTypes())
			.contains(MqttAcknowledgment.class);
	}

	/**
	 * Hands the container's acknowledgment to the method of a manual listener.
	 */
	private record AcknowledgingAdapter(MessagingMqttMessageListenerAdapter adapter)
			implements AcknowledgingMqttMessageListener {

		@Override
		public void onMessage(MqttReceivedMessage message, MqttAcknowledgment acknowledgment) {
			this.adapter.onMessage(message, acknowledgment);
		}

		@Override
		public String toString() {
			return this.adapter.toString();
		}

	}

	/**
	 * Decide, once at startup, what happens to the method's return value: MQTT 5 clients
	 * publish it as the reply; MQTT 3.1.1 has no response topic or correlation data, so
	 * {@code @SendTo} and {@code replyOnError} fail the startup there and a return value
	 * is discarded with a warning.
	 */
	private @Nullable MqttReplySender replySender(Method method) {
		MqttTemplate template = this.replyTemplate;
		boolean returnsValue = returnsValue(method);
		String where = ClassUtils.getShortName(method.getDeclaringClass()) + "." + method.getName();
		if (this.sendTo != null) {
			Set<String> variables = new LinkedHashSet<>();
			getTopicTemplates().forEach((topic) -> variables.addAll(topic.getVariableNames()));
			MqttReplySender.validateSendTo(this.sendTo, variables);
			Assert.state(returnsValue || this.replyOnError,
					() -> "@SendTo needs a method that returns the reply, but " + where + " returns nothing");
		}
		if (template == null || (!returnsValue && !this.replyOnError)) {
			return null;
		}
		MqttVersion version = template.getClientManager().getSettings().getVersion();
		if (version != MqttVersion.MQTT_5_0) {
			Assert.state(this.sendTo == null && !this.replyOnError, () -> "request/reply needs MQTT 5, but listener '"
					+ getId() + "' has " + ((this.sendTo != null) ? "@SendTo" : "replyOnError = true")
					+ " and its MQTT client '" + getClientName() + "' speaks MQTT 3.1.1");
			logger.warn("Listener '" + getId() + "' (" + where + ") returns a value, but request/reply needs MQTT 5"
					+ " and its MQTT client '" + getClientName() + "' speaks MQTT 3.1.1: return values are discarded");
			return null;
		}
		if (this.sendTo == null && returnsValue) {
			logger.warn("Listener '" + getId() + "' (" + where + ") returns a value and has no @SendTo: it is published"
					+ " as the reply to messages with an MQTT 5 response topic; for messages without one it is dropped,"
					+ " logged and counted (meter mqtt.replies.dropped). Add @SendTo(\"topic\") for those, or return"
					+ " void");
		}
		return new MqttReplySender(getId(), template, this.sendTo, this.replyOnError);
	}

	private static boolean returnsValue(Method method) {
		Class<?> type = method.getReturnType();
		if (type == void.class || type == Void.class) {
			return false;
		}
		if (CompletionStage.class.isAssignableFrom(type)) {
			Class<?> value = ResolvableType.forMethodReturnType(method).as(CompletionStage.class).resolveGeneric(0);
			return value != null && value != Void.class;
		}
		return true;
	}

	/**
	 * Fail now rather than on every message when a {@code @TopicVariable} cannot be bound.
	 * The check converts like the resolver the annotation post-processor registers first.
	 */
	private void validateTopicVariables(InvocableHandlerMethod handlerMethod) {
		TopicVariableMethodArgumentResolver resolver = new TopicVariableMethodArgumentResolver();
		for (MethodParameter parameter : handlerMethod.getMethodParameters()) {
			if (resolver.supportsParameter(parameter)) {
				parameter.initParameterNameDiscovery(PARAMETER_NAMES);
				resolver.validate(parameter, getTopicTemplates());
			}
		}
	}

}
