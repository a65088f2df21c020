package io.mqttboot.listener.adapter;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.SmartMessageConverter;

/**
 * Lets spring-messaging argument resolvers convert payloads with the application's
 * {@link MqttMessageConverter}, including generic targets such as {@code List<Reading>}
 * and {@code Message<Reading>}.
 *
 * @since 0.1.0
 */
public class MqttMessageConverterAdapter implements SmartMessageConverter {

	private final MqttMessageConverter converter;

	private final Map<MethodParameter, Type> targetTypes = new ConcurrentHashMap<>();

	/**
	 * Create an adapter.
	 * @param converter the converter to delegate to
	 */
	public MqttMessageConverterAdapter(MqttMessageConverter converter) {
		this.converter = converter;
	}

	@Override
	public @Nullable Object fromMessage(Message<?> message, Class<?> targetClass) {
		return fromMessage(message, targetClass, null);
	}

	@Override
	public @Nullable Object fromMessage(Message<?> message, Class<?> targetClass, @Nullable Object conversionHint) {
		Object payload = message.getPayload();
		if (!(payload instanceof byte[] bytes)) {
			return targetClass.isInstance(payload) ? payload : null;
		}
		return this.converter.fromPayload(bytes, targetType(targetClass, conversionHint));
	}

	private Type targetType(Class<?> targetClass, @Nullable Object conversionHint) {
		if (conversionHint instanceof MethodParameter parameter) {
			// Resolved once per parameter: resolving allocated a ResolvableType and its
			// type wrappers for every message (benchmark B11).
			Type type = this.targetTypes.computeIfAbsent(parameter, MqttMessageConverterAdapter::resolveTargetType);
			if (type != Object.class) {
				return type;
			}
		}
		return targetClass;
	}

	private static Type resolveTargetType(MethodParameter parameter) {
		ResolvableType type = ResolvableType.forMethodParameter(parameter);
		if (Message.class.isAssignableFrom(parameter.getParameterType())) {
			type = type.getGeneric(0);
		}
		Class<?> resolved = type.resolve();
		return (resolved != null && resolved != Object.class) ? type.getType() : Object.class;
	}

	@Override
	public @Nullable Message<?> toMessage(Object payload, @Nullable MessageHeaders headers) {
		return null;
	}

	@Override
	public @Nullable Message<?> toMessage(Object payload, @Nullable MessageHeaders headers,
			@Nullable Object conversionHint) {
		return null;
	}

}
