package io.mqttboot.integration;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttOperations;
import io.mqttboot.support.MqttHeaders;

import org.springframework.integration.handler.AbstractMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;

/**
 * Spring Integration outbound handler that publishes through an {@link MqttOperations}
 * (the managed client's template): the topic name from the {@link MqttHeaders#TOPIC}
 * header or the default topic, QoS from {@link MqttHeaders#QOS}, retain flag from
 * {@link MqttHeaders#RETAINED}, payload converted like any template publish. Waits for the
 * broker's acknowledgement, so a failure reaches the flow's error handling.
 *
 * @since 0.1.0
 */
public class MqttPublishingMessageHandler extends AbstractMessageHandler {

	private final MqttOperations operations;

	private @Nullable String defaultTopic;

	/**
	 * Create a handler.
	 * @param operations the template to publish with
	 */
	public MqttPublishingMessageHandler(MqttOperations operations) {
		this.operations = operations;
	}

	/**
	 * Set the topic name for messages without a {@link MqttHeaders#TOPIC} header.
	 * @param defaultTopic the topic name
	 */
	public void setDefaultTopic(@Nullable String defaultTopic) {
		this.defaultTopic = defaultTopic;
	}

	@Override
	public String getComponentType() {
		return "mqtt:outbound-channel-adapter";
	}

	@Override
	protected void handleMessageInternal(Message<?> message) {
		Object topicHeader = message.getHeaders().get(MqttHeaders.TOPIC);
		String topic = (topicHeader != null) ? topicHeader.toString() : this.defaultTopic;
		if (topic == null) {
			throw new MessageHandlingException(message,
					"No topic: set the '" + MqttHeaders.TOPIC + "' header or a default topic");
		}
		MqttOperations.PublishBuilder builder = this.operations.newMessage(message.getPayload()).topic(topic);
		if (message.getHeaders().get(MqttHeaders.QOS) instanceof Number qos) {
			builder.qos(qos.intValue());
		}
		if (message.getHeaders().get(MqttHeaders.RETAINED) instanceof Boolean retained) {
			builder.retain(retained);
		}
		builder.publish();
	}

}
