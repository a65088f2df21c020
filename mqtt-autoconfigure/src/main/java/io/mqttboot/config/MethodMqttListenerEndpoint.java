package io.mqttboot.config;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;

import io.mqttboot.listener.MqttMessageListener;
import io.mqttboot.listener.adapter.MessagingMqttMessageListenerAdapter;
import io.mqttboot.listener.adapter.TopicVariableMethodArgumentResolver;

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

	@Override
	public MqttMessageListener createMessageListener() {
		Assert.state(this.bean != null && this.method != null && this.messageHandlerMethodFactory != null,
				"Bean, method and message handler method factory are required");
		InvocableHandlerMethod handlerMethod = this.messageHandlerMethodFactory.createInvocableHandlerMethod(this.bean,
				this.method);
		validateTopicVariables(handlerMethod);
		return new MessagingMqttMessageListenerAdapter(getId(), handlerMethod, getTopicTemplates());
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
