package io.mqttboot.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A fully resolved message on its way to the broker: topic validated, payload converted.
 * <p>
 * Internal: not for use by applications; may change without notice.
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
 * @param utf8Payload MQTT 5 payload format indicator: whether the payload is UTF-8 text
 */
public record OutboundPublish(String topic, byte[] payload, int qos, boolean retain,
		List<Map.Entry<String, String>> userProperties, @Nullable String contentType, @Nullable String responseTopic,
		byte @Nullable [] correlationData, @Nullable Duration messageExpiry, boolean utf8Payload) {

	OutboundPublish(String topic, byte[] payload, int qos, boolean retain,
			List<Map.Entry<String, String>> userProperties, @Nullable String contentType,
			@Nullable String responseTopic, byte @Nullable [] correlationData, @Nullable Duration messageExpiry) {
		this(topic, payload, qos, retain, userProperties, contentType, responseTopic, correlationData, messageExpiry,
				false);
	}

	/**
	 * Return the size of this message as a PUBLISH packet [MQTT-3.3]: fixed header, topic
	 * name, packet identifier, properties (MQTT 5) and payload.
	 * @param version the protocol version
	 * @return the packet size in bytes
	 */
	long packetSize(MqttVersion version) {
		long remaining = 2L + this.topic.getBytes(StandardCharsets.UTF_8).length + ((this.qos > 0) ? 2 : 0)
				+ this.payload.length;
		if (version == MqttVersion.MQTT_5_0) {
			long properties = 0;
			if (this.contentType != null) {
				properties += 3 + this.contentType.getBytes(StandardCharsets.UTF_8).length;
			}
			if (this.responseTopic != null) {
				properties += 3 + this.responseTopic.getBytes(StandardCharsets.UTF_8).length;
			}
			if (this.correlationData != null) {
				properties += 3 + this.correlationData.length;
			}
			if (this.messageExpiry != null) {
				properties += 5;
			}
			if (this.utf8Payload) {
				properties += 2;
			}
			for (Map.Entry<String, String> property : this.userProperties) {
				properties += 5 + property.getKey().getBytes(StandardCharsets.UTF_8).length
						+ property.getValue().getBytes(StandardCharsets.UTF_8).length;
			}
			remaining += variableByteIntegerSize(properties) + properties;
		}
		return 1 + variableByteIntegerSize(remaining) + remaining;
	}

	private static int variableByteIntegerSize(long value) {
		return (value < 128) ? 1 : (value < 16_384) ? 2 : (value < 2_097_152) ? 3 : 4;
	}

	/**
	 * Return whether this message carries any MQTT 5 property.
	 * <p>
	 * Internal: not for use by applications; may change without notice.
	 * @return whether a property is set
	 */
	public boolean hasMqtt5Properties() {
		return !this.userProperties.isEmpty() || this.contentType != null || this.responseTopic != null
				|| this.correlationData != null || this.messageExpiry != null || this.utf8Payload;
	}

}
