package io.mqttboot.core;

/**
 * Receives every message of a client, on the network thread: implementations must hand the
 * message off without blocking. The listener dispatcher is the implementation.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MqttInboundHandler {

	/**
	 * Handle a received message. The handler owns the acknowledgement.
	 * @param message the message
	 */
	void onMessage(MqttReceivedMessage message);

}
