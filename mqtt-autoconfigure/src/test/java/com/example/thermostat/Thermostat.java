package com.example.thermostat;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.support.MqttHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.messaging.handler.annotation.Header;
import org.springframework.stereotype.Component;

/**
 * The listener of the getting-started application.
 */
@Component
class Thermostat {

	private static final Logger logger = LoggerFactory.getLogger(Thermostat.class);

	@MqttListener(topics = "sensors/{room}/temp", qos = 1)
	void onTemp(Reading reading, @TopicVariable String room, @Header(MqttHeaders.RECEIVED_TOPIC) String topic) {
		logger.info("{} °C in the {} (from {})", reading.celsius(), room, topic);
	}

}
