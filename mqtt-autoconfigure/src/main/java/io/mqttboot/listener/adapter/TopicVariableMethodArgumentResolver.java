package io.mqttboot.listener.adapter;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.support.MqttHeaders;

import org.springframework.core.MethodParameter;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * Resolves {@link TopicVariable @TopicVariable} parameters from the
 * {@link MqttHeaders#TOPIC_VARIABLES} header.
 *
 * @since 0.1.0
 */
public class TopicVariableMethodArgumentResolver implements HandlerMethodArgumentResolver {

	private final ConversionService conversionService;

	/**
	 * Create a resolver with the shared default conversion service.
	 */
	public TopicVariableMethodArgumentResolver() {
		this(DefaultConversionService.getSharedInstance());
	}

	/**
	 * Create a resolver.
	 * @param conversionService converts the level text to the parameter type
	 */
	public TopicVariableMethodArgumentResolver(ConversionService conversionService) {
		this.conversionService = conversionService;
	}

	/**
	 * Return the variable name a parameter binds to.
	 * @param parameter the parameter
	 * @return the name
	 */
	public static String variableName(MethodParameter parameter) {
		TopicVariable annotation = parameter.getParameterAnnotation(TopicVariable.class);
		String name = (annotation != null && !annotation.value().isEmpty()) ? annotation.value()
				: parameter.getParameterName();
		if (name == null) {
			throw new IllegalStateException("Cannot determine the topic variable name of parameter "
					+ parameter.getParameterIndex() + " of " + parameter.getExecutable()
					+ ": set @TopicVariable(\"name\") or compile with -parameters");
		}
		return name;
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(TopicVariable.class);
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		String name = variableName(parameter);
		Object variables = message.getHeaders().get(MqttHeaders.TOPIC_VARIABLES);
		Object value = (variables instanceof Map<?, ?> map) ? map.get(name) : null;
		if (value == null) {
			throw new MessageHandlingException(message, "Topic variable '" + name + "' is not available for topic '"
					+ message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC) + "'");
		}
		return this.conversionService.convert(value, TypeDescriptor.forObject(value), new TypeDescriptor(parameter));
	}

}
