package io.mqttboot.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown (or used to complete a publish future exceptionally) when a message could not be
 * published: the broker rejected it, the client was stopped, or the wait for the
 * acknowledgement timed out.
 *
 * @since 0.1.0
 */
public class MqttPublishException extends MqttException {

	private final String topic;

	/**
	 * Create a new exception.
	 * @param topic the topic name of the message
	 * @param message the detail message
	 * @param cause the root cause
	 */
	public MqttPublishException(String topic, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.topic = topic;
	}

	/**
	 * Return the topic name of the message that was not published.
	 * @return the topic name
	 */
	public String getTopic() {
		return this.topic;
	}

}
