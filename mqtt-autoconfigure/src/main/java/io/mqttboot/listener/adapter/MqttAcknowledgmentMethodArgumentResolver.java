package io.mqttboot.listener.adapter;

import io.mqttboot.listener.MqttAcknowledgment;
import io.mqttboot.support.MqttHeaders;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;

/**
 * Resolves parameters of type {@link MqttAcknowledgment}, for listeners that acknowledge
 * manually.
 *
 * @since 0.1.0
 */
public class MqttAcknowledgmentMethodArgumentResolver implements HandlerMethodArgumentResolver {

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return MqttAcknowledgment.class.equals(parameter.getParameterType());
	}

	@Override
	public Object resolveArgument(MethodParameter parameter, Message<?> message) {
		Object acknowledgment = message.getHeaders().get(MqttHeaders.ACKNOWLEDGMENT);
		if (acknowledgment == null) {
			throw new MethodArgumentResolutionException(message, parameter,
					"No MqttAcknowledgment: the listener does not run in MANUAL acknowledgement mode");
		}
		return acknowledgment;
	}

}
