package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A fully resolved message on its way to the broker: topic validated, payload converted.
 *
 * @param topic the topic name
 * @param payload the payload bytes
 * @param qos the QoS
 * @param retain the retain flag
 * @param userProperties MQTT 5 user properties in order (keys may repeat)
 * @param contentType MQTT 5 content type
 * @param responseTopic MQTT 5 response topic
 * @param correlationData MQTT 5 correlation data
 * @param messageExpiry MQTT 5 message expiry interval
 */
record OutboundPublish(String topic, byte[] payload, int qos, boolean retain,
		List<Map.Entry<String, String>> userProperties, @Nullable String contentType, @Nullable String responseTopic,
		byte @Nullable [] correlationData, @Nullable Duration messageExpiry) {

	boolean hasMqtt5Properties() {
		return !this.userProperties.isEmpty() || this.contentType != null || this.responseTopic != null
				|| this.correlationData != null || this.messageExpiry != null;
	}

}
