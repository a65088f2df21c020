package io.mqttboot.core;

import org.jspecify.annotations.Nullable;

/**
 * Base class for MQTT failures reported by this library.
 *
 * @since 0.1.0
 */
public class MqttException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param message the detail message, naming the thing that failed
	 */
	public MqttException(String message) {
		super(message);
	}

	/**
	 * Create a new exception.
	 * @param message the detail message, naming the thing that failed
	 * @param cause the root cause
	 */
	public MqttException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
