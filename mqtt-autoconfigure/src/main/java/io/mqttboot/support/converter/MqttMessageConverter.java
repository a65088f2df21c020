package io.mqttboot.support.converter;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * Strategy to convert application objects to MQTT payload bytes and back. Register a bean
 * of this type to replace the {@link DefaultMqttMessageConverter}.
 *
 * @since 0.1.0
 */
public interface MqttMessageConverter {

	/**
	 * Convert an outgoing payload to bytes.
	 * @param payload the payload, never {@code null}
	 * @return the bytes to publish
	 * @throws MqttMessageConversionException if the payload cannot be converted
	 */
	byte[] toPayload(Object payload);

	/**
	 * Return the MQTT 5 content type to publish with the converted payload.
	 * @param payload the payload
	 * @return the content type, or {@code null} to send none
	 */
	default @Nullable String getContentType(Object payload) {
		return null;
	}

	/**
	 * Convert incoming payload bytes to the requested type.
	 * @param payload the received bytes
	 * @param targetType the type the listener asks for
	 * @return the converted object
	 * @throws MqttMessageConversionException if the bytes cannot be converted
	 */
	Object fromPayload(byte[] payload, Type targetType);

}
