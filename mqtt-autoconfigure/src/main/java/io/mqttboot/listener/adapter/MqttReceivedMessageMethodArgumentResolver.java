package io.mqttboot.listener.adapter;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.support.MqttHeaders;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * Resolves parameters of type {@link MqttReceivedMessage}.
 *
 * @since 0.1.0
 */
public class MqttReceivedMessageMethodArgumentResolver implements HandlerMethodArgumentResolver {

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return MqttReceivedMessage.class.equals(parameter.getParameterType());
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		return message.getHeaders().get(MqttHeaders.RECEIVED_MESSAGE);
	}

}
