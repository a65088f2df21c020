package io.mqttboot.core;

/**
 * Receives every message of a client, in order, on a thread of the MQTT client (not the
 * application's): implementations must hand the message off without blocking. The listener
 * dispatcher is the implementation.
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
