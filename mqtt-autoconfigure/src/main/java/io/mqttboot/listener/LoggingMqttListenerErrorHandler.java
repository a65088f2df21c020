package io.mqttboot.listener;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * The default {@link MqttListenerErrorHandler}: logs the failure with the listener, the
 * topic and the number of attempts, then lets the message be acknowledged.
 *
 * @since 0.1.0
 */
public class LoggingMqttListenerErrorHandler implements MqttListenerErrorHandler {

	private static final Log logger = LogFactory.getLog(LoggingMqttListenerErrorHandler.class);

	@Override
	public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
			int attempts) {
		String text = exception.getMessage() + " (after " + attempts + " attempt" + ((attempts != 1) ? "s" : "")
				+ ", QoS " + message.getQos() + ", " + message.getPayload().length
				+ " bytes); the message is acknowledged and skipped";
		if (ConcurrentMqttListenerContainer.isRetryable(exception)) {
			logger.error(text, exception.getCause());
		}
		else {
			// Bad input (malformed payload, failed validation): the message says it all, a
			// stack trace per bad message would only flood the log.
			logger.error(text);
		}
	}

}
