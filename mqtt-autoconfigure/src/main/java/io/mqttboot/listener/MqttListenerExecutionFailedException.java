package io.mqttboot.listener;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttException;

/**
 * Wraps any failure of a listener (including payload conversion failures) with the
 * listener id and the topic of the message.
 *
 * @since 0.1.0
 */
public class MqttListenerExecutionFailedException extends MqttException {

	private final String listenerId;

	private final String topic;

	/**
	 * Create a new exception.
	 * @param listenerId the id of the listener
	 * @param topic the topic name of the message
	 * @param cause the failure
	 */
	public MqttListenerExecutionFailedException(String listenerId, String topic, @Nullable Throwable cause) {
		super("Listener '" + listenerId + "' failed to process message from topic '" + topic + "': "
				+ ((cause != null) ? cause.getClass().getName() + ": " + cause.getMessage() : "unknown"), cause);
		this.listenerId = listenerId;
		this.topic = topic;
	}

	/**
	 * Return the id of the failed listener.
	 * @return the listener id
	 */
	public String getListenerId() {
		return this.listenerId;
	}

	/**
	 * Return the topic name of the message.
	 * @return the topic name
	 */
	public String getTopic() {
		return this.topic;
	}

}
