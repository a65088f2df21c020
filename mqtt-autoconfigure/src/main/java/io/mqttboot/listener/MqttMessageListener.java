package io.mqttboot.listener;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * Receives messages in a listener container. Annotated methods are adapted to this
 * interface; implement it directly for programmatic endpoints.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MqttMessageListener {

	/**
	 * Process a message. Returning normally lets the container acknowledge it; throwing
	 * hands it to the retry and error handling.
	 * @param message the message
	 * @throws Exception any failure
	 */
	void onMessage(MqttReceivedMessage message) throws Exception;

}
