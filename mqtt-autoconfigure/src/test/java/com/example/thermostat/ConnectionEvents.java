package com.example.thermostat;

import io.mqttboot.event.MqttConnectedEvent;
import io.mqttboot.event.MqttConnectionLostEvent;
import io.mqttboot.event.MqttMessageDeliveredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What Paho's connectionLost and deliveryComplete callbacks become: application events, shown
 * in docs/paho.md and checked by {@link ThermostatBrokerRestartIntegrationTests}.
 */
@Component
class ConnectionEvents {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionEvents.class);

	@EventListener
	void onConnectionLost(MqttConnectionLostEvent event) {
		// The client reconnects by itself; publishes wait in the outbox meanwhile.
		logger.warn("MQTT client '{}' lost its connection: {}", event.getClientName(), event.getCause().toString());
	}

	@EventListener
	void onConnected(MqttConnectedEvent event) {
		logger.info("MQTT client '{}' connected (reconnect: {}, session present: {})", event.getClientName(),
				event.isReconnect(), event.isSessionPresent());
	}

	// Published only with mqtt.publish.delivery-events=true
	@EventListener
	void onDelivered(MqttMessageDeliveredEvent event) {
		logger.info("Broker acknowledged the message to {} at QoS {}", event.getTopic(), event.getQos());
	}

}
