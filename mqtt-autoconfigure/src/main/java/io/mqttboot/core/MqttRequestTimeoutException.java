package io.mqttboot.core;

import java.time.Duration;

/**
 * Thrown (or used to complete a request future exceptionally) when no reply to an MQTT 5
 * request arrived in time. A reply that arrives later is dropped and counted as late.
 *
 * @since 0.1.0
 */
public class MqttRequestTimeoutException extends MqttException {

	private final String topic;

	private final Duration timeout;

	/**
	 * Create a new exception.
	 * @param topic the topic name the request was published to
	 * @param timeout how long the request waited
	 * @param message the detail message
	 */
	public MqttRequestTimeoutException(String topic, Duration timeout, String message) {
		super(message);
		this.topic = topic;
		this.timeout = timeout;
	}

	/**
	 * Return the topic name the request was published to.
	 * @return the topic name
	 */
	public String getTopic() {
		return this.topic;
	}

	/**
	 * Return how long the request waited for its reply.
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

}
