package io.mqttboot.listener;

import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttOperations;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.core.MqttVersion;

/**
 * A {@link MqttListenerErrorHandler} that publishes failed messages, unchanged, to a
 * dead-letter topic ({@code dlt/<original topic>} by default) with the failure details as
 * MQTT 5 user properties: {@value #EXCEPTION}, {@value #EXCEPTION_MESSAGE},
 * {@value #ORIGINAL_TOPIC}, {@value #ATTEMPTS} and {@value #LISTENER_ID}.
 * <p>
 * The copy keeps the original's MQTT 5 properties: its user properties (before the
 * failure properties), content type, correlation data, response topic and payload format
 * indicator; not its message expiry, so that a dead letter does not expire before someone
 * looks at it. Its QoS is the original's, at least 1. On MQTT 3.1.1 the copy carries the
 * payload only: the dead-letter topic is all that tells where it came from.
 * <p>
 * Created with a {@link MqttClientRegistry}, it publishes through the client that received
 * the message, so a listener of {@code mqtt.clients.<name>} dead-letters on that broker.
 * The publish waits for the broker's acknowledgement; when it fails or times out (a
 * dead-letter topic the broker refuses, a broker that is down), this handler throws, and
 * the container keeps the failed message unacknowledged and calls the handler again.
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

	private final Function<MqttReceivedMessage, MqttOperations> operations;

	private final Function<MqttReceivedMessage, String> topicResolver;

	/**
	 * Create a handler publishing to {@code <prefix><original topic>} through the client
	 * that received the failed message.
	 * @param clients the clients
	 * @param topicPrefix the prefix, for example {@code dlt/}
	 */
	public DeadLetterMqttListenerErrorHandler(MqttClientRegistry clients, String topicPrefix) {
		this.operations = (message) -> clients.getTemplate(message.getClientName());
		this.topicResolver = (message) -> topicPrefix + message.getTopic();
	}

	/**
	 * Create a handler publishing to {@code <prefix><original topic>}.
	 * @param operations the template to publish with, whichever client received the
	 * message
	 * @param topicPrefix the prefix, for example {@code dlt/}
	 */
	public DeadLetterMqttListenerErrorHandler(MqttOperations operations, String topicPrefix) {
		this(operations, (message) -> topicPrefix + message.getTopic());
	}

	/**
	 * Create a handler.
	 * @param operations the template to publish with, whichever client received the
	 * message
	 * @param topicResolver computes the dead-letter topic name of a message
	 */
	public DeadLetterMqttListenerErrorHandler(MqttOperations operations,
			Function<MqttReceivedMessage, String> topicResolver) {
		this.operations = (message) -> operations;
		this.topicResolver = topicResolver;
	}

	@Override
	public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
			int attempts) {
		Throwable cause = (exception.getCause() != null) ? exception.getCause() : exception;
		String topic = this.topicResolver.apply(message);
		String causeMessage = (cause.getMessage() != null) ? cause.getMessage() : "";
		MqttOperations operations = this.operations.apply(message);
		MqttOperations.PublishBuilder builder = operations.newMessage(message.getPayload())
			.topic(topic)
			.qos(Math.max(1, message.getQos()))
			.retain(false);
		if (!speaksMqtt311(operations)) {
			message.getUserProperties().forEach((property) -> builder.userProperty(property.getKey(), property.getValue()));
			builder.userProperty(EXCEPTION, cause.getClass().getName())
				.userProperty(EXCEPTION_MESSAGE,
						(causeMessage.length() > 1000) ? causeMessage.substring(0, 1000) : causeMessage)
				.userProperty(ORIGINAL_TOPIC, message.getTopic())
				.userProperty(ATTEMPTS, Integer.toString(attempts))
				.userProperty(LISTENER_ID, exception.getListenerId());
			if (message.getContentType() != null) {
				builder.contentType(message.getContentType());
			}
			if (message.getResponseTopic() != null) {
				builder.responseTopic(message.getResponseTopic());
			}
			if (message.getCorrelationData() != null) {
				builder.correlationData(message.getCorrelationData());
			}
			if (message.isUtf8Payload()) {
				builder.utf8Payload(true);
			}
		}
		builder.publish();
		logger.warn(exception.getMessage() + " (after " + attempts + " attempts); published to dead-letter topic '"
				+ topic + "'");
	}

	private static boolean speaksMqtt311(MqttOperations operations) {
		return operations instanceof MqttTemplate template
				&& template.getClientManager().getSettings().getVersion() == MqttVersion.MQTT_3_1_1;
	}

}
