package io.mqttboot.listener;

import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.mqttboot.core.MqttOperations;
import io.mqttboot.core.MqttReceivedMessage;

/**
 * A {@link MqttListenerErrorHandler} that publishes failed messages, unchanged, to a
 * dead-letter topic ({@code dlt/<original topic>} by default) with the failure details as
 * MQTT 5 user properties: {@value #EXCEPTION}, {@value #EXCEPTION_MESSAGE},
 * {@value #ORIGINAL_TOPIC}, {@value #ATTEMPTS} and {@value #LISTENER_ID}. The publish
 * waits for the broker's acknowledgement before the failed message is acknowledged, so
 * a crash in between redelivers rather than loses it.
 *
 * @since 0.1.0
 */
public class DeadLetterMqttListenerErrorHandler implements MqttListenerErrorHandler {

	/**
	 * User property with the exception class name.
	 */
	public static final String EXCEPTION = "mqtt_dlt_exception";

	/**
	 * User property with the exception message.
	 */
	public static final String EXCEPTION_MESSAGE = "mqtt_dlt_exception_message";

	/**
	 * User property with the original topic name.
	 */
	public static final String ORIGINAL_TOPIC = "mqtt_dlt_original_topic";

	/**
	 * User property with the number of attempts.
	 */
	public static final String ATTEMPTS = "mqtt_dlt_attempts";

	/**
	 * User property with the listener id.
	 */
	public static final String LISTENER_ID = "mqtt_dlt_listener";

	private static final Log logger = LogFactory.getLog(DeadLetterMqttListenerErrorHandler.class);

	private final MqttOperations operations;

	private final Function<MqttReceivedMessage, String> topicResolver;

	/**
	 * Create a handler publishing to {@code <prefix><original topic>}.
	 * @param operations the template to publish with
	 * @param topicPrefix the prefix, for example {@code dlt/}
	 */
	public DeadLetterMqttListenerErrorHandler(MqttOperations operations, String topicPrefix) {
		this(operations, (message) -> topicPrefix + message.getTopic());
	}

	/**
	 * Create a handler.
	 * @param operations the template to publish with
	 * @param topicResolver computes the dead-letter topic name of a message
	 */
	public DeadLetterMqttListenerErrorHandler(MqttOperations operations,
			Function<MqttReceivedMessage, String> topicResolver) {
		this.operations = operations;
		this.topicResolver = topicResolver;
	}

	@Override
	public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
			int attempts) {
		Throwable cause = (exception.getCause() != null) ? exception.getCause() : exception;
		String topic = this.topicResolver.apply(message);
		String causeMessage = (cause.getMessage() != null) ? cause.getMessage() : "";
		this.operations.newMessage(message.getPayload())
			.topic(topic)
			.qos(Math.max(1, message.getQos()))
			.userProperty(EXCEPTION, cause.getClass().getName())
			.userProperty(EXCEPTION_MESSAGE, (causeMessage.length() > 1000) ? causeMessage.substring(0, 1000) : causeMessage)
			.userProperty(ORIGINAL_TOPIC, message.getTopic())
			.userProperty(ATTEMPTS, Integer.toString(attempts))
			.userProperty(LISTENER_ID, exception.getListenerId())
			.publish();
		logger.warn(exception.getMessage() + " (after " + attempts + " attempts); published to dead-letter topic '"
				+ topic + "'");
	}

}
