package io.mqttboot.config;

import java.lang.reflect.Method;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.listener.AcknowledgingMqttMessageListener;
import io.mqttboot.listener.MqttAckMode;
import io.mqttboot.listener.MqttAcknowledgment;
import io.mqttboot.listener.MqttMessageListener;
import io.mqttboot.listener.adapter.BatchMessagingMqttMessageListenerAdapter;
import io.mqttboot.listener.adapter.MessagingMqttMessageListenerAdapter;
import io.mqttboot.listener.adapter.TopicVariableMethodArgumentResolver;
import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.util.Assert;

/**
 * A {@link MqttListenerEndpoint} that invokes a method of a bean, as declared with
 * {@link io.mqttboot.annotation.MqttListener @MqttListener}.
 *
 * @since 0.1.0
 */
public class MethodMqttListenerEndpoint extends AbstractMqttListenerEndpoint {

	private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

	private @Nullable Object bean;

	private @Nullable Method method;

	private @Nullable MessageHandlerMethodFactory messageHandlerMethodFactory;

	private MqttAckMode ackMode = MqttAckMode.AUTO;

	private boolean batch;

	private @Nullable MqttMessageConverter messageConverter;

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
