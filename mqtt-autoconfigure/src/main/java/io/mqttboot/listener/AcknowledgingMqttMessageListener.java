package io.mqttboot.listener;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * A {@link MqttMessageListener} that acknowledges messages itself: a container with such
 * a listener runs in {@link MqttAckMode#MANUAL} mode.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface AcknowledgingMqttMessageListener extends MqttMessageListener {

	/**
	 * Process a message and acknowledge it, now or later, from any thread. Throwing hands
	 * it to the retry and error handling, which acknowledges it when the error handler
	 * returns.
	 * @param message the message
	 * @param acknowledgment acknowledges the message
	 * @throws Exception any failure
	 */
	void onMessage(MqttReceivedMessage message, MqttAcknowledgment acknowledgment) throws Exception;

	/**
	 * Not called: a container whose listener implements this interface runs in
	 * {@link MqttAckMode#MANUAL} mode and calls
	 * {@link #onMessage(MqttReceivedMessage, MqttAcknowledgment)}.
	 * @param message the message
	 * @throws UnsupportedOperationException always
	 */
	@Override
	default void onMessage(MqttReceivedMessage message) throws Exception {
		throw new UnsupportedOperationException("Acknowledging listener " + this + " needs an acknowledgment");
	}

}
