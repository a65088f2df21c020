package io.mqttboot.aottests;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;

import org.springframework.stereotype.Component;

/**
 * Receives readings and keeps them, with the device from the topic, for the tests to read.
 */
@Component
public class ReadingListener {

	private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

	@MqttListener(topics = "${sample.readings-topic}", qos = 1)
	void onReading(Reading reading, @TopicVariable String device) {
		this.received.add(device + ":" + reading);
	}

	/**
	 * Return what arrived, as {@code device:reading}.
	 * @return the received readings
	 */
	public BlockingQueue<String> received() {
		return this.received;
	}

}
