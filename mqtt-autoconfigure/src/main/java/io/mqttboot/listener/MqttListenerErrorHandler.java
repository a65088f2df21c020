package io.mqttboot.listener;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * Decides what happens to a message whose listener failed after all retries (or at once,
 * for failures that retrying cannot fix, such as malformed payloads). When this method
 * returns, the message is acknowledged and the next one is processed; the connection is
 * never closed because of a listener failure.
 * <p>
 * When this method throws, a QoS 1 or QoS 2 message is not acknowledged: the container
 * calls the handler again after 1 s, doubling up to 30 s, until it returns, and leaves the
 * message unacknowledged if the listener stops meanwhile (the broker redelivers it to a
 * persistent session). Later messages of the same topic wait, in order. A QoS 0 message
 * is skipped after one failed attempt, with an error log.
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
	 * @throws Exception if handling fails; it is logged, and the handler is called again
	 * for a QoS 1/2 message, which stays unacknowledged until it succeeds
	 */
	void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception, int attempts)
			throws Exception;

}
