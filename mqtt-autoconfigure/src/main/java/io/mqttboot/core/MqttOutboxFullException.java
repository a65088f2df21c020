package io.mqttboot.core;

/**
 * Completes a publish future when the client is disconnected and its outbox already holds
 * {@code mqtt.outbox.capacity} messages. The message was not queued; the caller decides
 * whether to retry, drop or slow down.
 *
 * @since 0.1.0
 */
public class MqttOutboxFullException extends MqttPublishException {

	private final int capacity;

	/**
	 * Create a new exception.
	 * @param clientName the configured client name
	 * @param topic the topic name of the rejected message
	 * @param capacity the outbox capacity
	 */
	public MqttOutboxFullException(String clientName, String topic, int capacity) {
		super(topic, "Outbox of MQTT client '" + clientName + "' is full (" + capacity
				+ " messages waiting for the connection); rejected message for topic '" + topic
				+ "'. Raise mqtt.outbox.capacity or slow down publishing while the broker is unreachable", null);
		this.capacity = capacity;
	}

	/**
	 * Return the capacity of the outbox that was full.
	 * @return the outbox capacity
	 */
	public int getCapacity() {
		return this.capacity;
	}

}
