package io.mqttboot.support.converter;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a payload cannot be converted to or from bytes, for example malformed JSON
 * or JSON of the wrong shape.
 *
 * @since 0.1.0
 */
public class MqttMessageConversionException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param message the detail message naming the payload type and the problem
	 * @param cause the root cause
	 */
	public MqttMessageConversionException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
