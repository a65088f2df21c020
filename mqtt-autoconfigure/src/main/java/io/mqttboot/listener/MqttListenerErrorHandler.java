package io.mqttboot.listener;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * Decides what happens to a message whose listener failed after all retries (or at once,
 * for failures that retrying cannot fix, such as malformed payloads). When this method
 * returns, the message is acknowledged and the next one is processed; the connection is
 * never closed because of a listener failure.
 *
 * @since 0.1.0
 * @see LoggingMqttListenerErrorHandler
 * @see DeadLetterMqttListenerErrorHandler
 */
@FunctionalInterface
public interface MqttListenerErrorHandler {

	/**
	 * Handle a failed message.
	 * @param message the message
	 * @param exception the failure, naming the listener and the topic
	 * @param attempts how often the listener was invoked
	 * @throws Exception if handling fails; it is logged and the message acknowledged anyway
	 */
	void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception, int attempts)
			throws Exception;

}
