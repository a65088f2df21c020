package io.mqttboot.listener;

/**
 * Acknowledges one received message when a listener in
 * {@link MqttAckMode#MANUAL manual acknowledgement mode} decides so: declare a parameter
 * of this type on an {@link io.mqttboot.annotation.MqttListener @MqttListener} method, or
 * implement {@link AcknowledgingMqttMessageListener}.
 * <p>
 * {@link #acknowledge()} may be called from any thread, also after the method returned.
 * Until then the listener has not finished the message: later messages of the same worker
 * (and so of the same topic) wait, and the QoS 1/2 message stays unacknowledged at the
 * broker. Calling it again does nothing.
 *
 * @since 0.1.0
 */
public interface MqttAcknowledgment {

	/**
	 * Acknowledge the message: once every listener that received it finished, the client
	 * sends PUBACK (QoS 1) or PUBREC (QoS 2). Calling it more than once, or after the
	 * container gave up on the message at shutdown, does nothing.
	 */
	void acknowledge();

	/**
	 * Return whether {@link #acknowledge()} was called.
	 * @return whether the message was acknowledged by this listener
	 */
	boolean isAcknowledged();

}
