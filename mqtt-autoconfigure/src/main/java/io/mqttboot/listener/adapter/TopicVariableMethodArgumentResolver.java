package io.mqttboot.listener.adapter;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.support.TopicTemplate;

import org.springframework.core.MethodParameter;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;

/**
 * Resolves {@link TopicVariable @TopicVariable} parameters from the
 * {@link MqttHeaders#TOPIC_VARIABLES} header.
 *
 * @since 0.1.0
 */
public class TopicVariableMethodArgumentResolver implements HandlerMethodArgumentResolver {

	private final ConversionService conversionService;

	/**
	 * The variable name of each parameter: spring-messaging resets the parameter name
	 * discovery of every parameter before each invocation, so asking the parameter for its
	 * name would read the method's parameters by reflection for every message (benchmark
	 * B11).
	 */
	private final Map<MethodParameter, String> variableNames = new ConcurrentHashMap<>();

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

	/**
	 * Check a {@link TopicVariable @TopicVariable} parameter once, when the listener is
	 * registered, so that a mistake fails the startup instead of every message: each of
	 * the listener's topic templates must define the variable, and the level text must be
	 * convertible to the parameter type.
	 * @param parameter the parameter, annotated with {@code @TopicVariable}
	 * @param templates the listener's topic templates
	 * @throws IllegalArgumentException naming the parameter, its type, the variable and the
	 * topic that lacks it
	 */
	public void validate(MethodParameter parameter, List<TopicTemplate> templates) {
		String name = variableName(parameter);
		for (TopicTemplate template : templates) {
			if (!template.getVariableNames().contains(name)) {
				throw new IllegalArgumentException("@TopicVariable parameter '" + name + "' needs {" + name
						+ "} in every topic, but topic '" + template.getTemplate() + "' has no {" + name
						+ "}: a message on it could not bind the parameter; give each topic the variable or use "
						+ "a listener method per topic");
			}
		}
		if (!this.conversionService.canConvert(TypeDescriptor.valueOf(String.class), new TypeDescriptor(parameter))) {
			String parameterName = parameter.getParameterName();
			throw new IllegalArgumentException("@TopicVariable parameter '"
					+ ((parameterName != null) ? parameterName : "#" + parameter.getParameterIndex()) + "' of type "
					+ parameter.getGenericParameterType().getTypeName() + " cannot be bound: no converter turns the text of {"
					+ name + "} into it; use String, a number, an enum, or a type with a static valueOf(String), "
					+ "of(String) or from(String) method or a String constructor");
		}
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(TopicVariable.class);
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		String name = this.variableNames.get(parameter);
		if (name == null) {
			name = variableName(parameter);
			this.variableNames.put(parameter, name);
		}
		Object variables = MqttMessageMapper.topicVariables(message);
		Object value = (variables instanceof Map<?, ?> map) ? map.get(name) : null;
		// Argument resolution failures are not retried: they fail the same way every time.
		if (value == null) {
			throw new MethodArgumentResolutionException(message, parameter, "Topic variable '" + name
					+ "' is not available for topic '" + message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC) + "'");
		}
		if (parameter.getParameterType() == String.class && value instanceof String) {
			// The common case, without a conversion (and its type descriptors) per message.
			return value;
		}
		try {
			return this.conversionService.convert(value, TypeDescriptor.forObject(value), new TypeDescriptor(parameter));
		}
		catch (ConversionException ex) {
			throw new MethodArgumentResolutionException(message, parameter, "Topic variable '" + name + "' value '"
					+ value + "' cannot be converted to " + parameter.getGenericParameterType().getTypeName(), ex);
		}
	}

}
