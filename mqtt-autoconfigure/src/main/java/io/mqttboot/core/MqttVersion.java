package io.mqttboot.core;

/**
 * The MQTT protocol version a client speaks.
 *
 * @since 0.1.0
 */
public enum MqttVersion {

	/**
	 * MQTT 3.1.1 (OASIS standard, 2014). No user properties, reason codes or
	 * subscription identifiers.
	 */
	MQTT_3_1_1,

	/**
	 * MQTT 5.0 (OASIS standard, 2019), the default.
	 */
	MQTT_5_0

}
