package io.mqttboot.listener;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * One received message on its way to all matching containers; acknowledged to the broker
 * when the last of them released it, so that QoS 1/2 messages are acknowledged only after
 * every listener finished.
 */
final class MqttDelivery {

	private static final AtomicIntegerFieldUpdater<MqttDelivery> REMAINING = AtomicIntegerFieldUpdater
		.newUpdater(MqttDelivery.class, "remaining");

	final MqttReceivedMessage message;

	private volatile int remaining;

	MqttDelivery(MqttReceivedMessage message, int listeners) {
		this.message = message;
		this.remaining = listeners;
	}

	void release() {
		if (REMAINING.decrementAndGet(this) == 0) {
			this.message.acknowledge();
		}
	}

}
