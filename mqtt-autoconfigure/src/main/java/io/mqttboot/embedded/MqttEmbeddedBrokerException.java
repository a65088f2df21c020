package io.mqttboot.embedded;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttException;

/**
 * Thrown when the embedded broker cannot start, for example because its port is taken.
 * The message names the address and the properties that set it.
 *
 * @since 0.1.0
 */
public class MqttEmbeddedBrokerException extends MqttException {

	private final String host;

	private final int port;

	/**
	 * Create a new exception.
	 * @param message the detail message, naming the address
	 * @param host the address the broker was to bind
	 * @param port the port the broker was to bind, {@code 0} if none was chosen yet
	 * @param cause the failure
	 */
	public MqttEmbeddedBrokerException(String message, String host, int port, @Nullable Throwable cause) {
		super(message, cause);
		this.host = host;
		this.port = port;
	}

	/**
	 * Return the address the broker was to bind.
	 * @return the host
	 */
	public String getHost() {
		return this.host;
	}

	/**
	 * Return the port the broker was to bind.
	 * @return the port, {@code 0} if none was chosen yet
	 */
	public int getPort() {
		return this.port;
	}

}
