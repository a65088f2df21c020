package io.mqttboot.listener;

import java.util.concurrent.atomic.AtomicInteger;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * One received message on its way to all matching containers; acknowledged to the broker
 * when the last of them released it, so that QoS 1/2 messages are acknowledged only after
 * every listener finished.
 */
final class MqttDelivery {

	final MqttReceivedMessage message;

	private final AtomicInteger remaining;

	MqttDelivery(MqttReceivedMessage message, int listeners) {
		this.message = message;
		this.remaining = new AtomicInteger(listeners);
	}

	void release() {
		if (this.remaining.decrementAndGet() == 0) {
			this.message.acknowledge();
		}
	}

}
