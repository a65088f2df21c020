package io.mqttboot.listener;

import java.util.List;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * A {@link MqttMessageListener} that receives messages in batches: up to a maximum size, collected for at most a maximum
 * wait after the first one, from one worker of the container (so possibly from several
 * topics, each in its order). Returning normally acknowledges every message of the batch,
 * in order; throwing retries the batch with the container's retry policy, then hands each
 * message to the error handler.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BatchMqttMessageListener extends MqttMessageListener {

	/**
	 * Process a batch.
	 * @param messages the messages, in the order received
	 * @throws Exception any failure
	 */
	void onMessages(List<MqttReceivedMessage> messages) throws Exception;

	/**
	 * Process a batch of one message. A container whose listener implements this interface
	 * calls {@link #onMessages(List)} instead.
	 * @param message the message
	 * @throws Exception any failure
	 */
	@Override
	default void onMessage(MqttReceivedMessage message) throws Exception {
		onMessages(List.of(message));
	}

}
