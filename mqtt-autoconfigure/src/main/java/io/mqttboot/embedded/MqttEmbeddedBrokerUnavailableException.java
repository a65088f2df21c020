package io.mqttboot.embedded;

import io.mqttboot.core.MqttException;

/**
 * Thrown on startup when {@code mqtt.embedded.enabled=true} asks for the embedded broker
 * but Moquette is not on the class path. Without it the default client would silently
 * connect to {@code mqtt.url} instead.
 *
 * @since 0.1.0
 */
public class MqttEmbeddedBrokerUnavailableException extends MqttException {

	/**
	 * The Maven coordinates of the broker the embedded mode needs.
	 */
	public static final String MOQUETTE_COORDINATES = "de.fraunhofer.iosb.io.moquette:moquette-broker";

	/**
	 * Create a new exception.
	 */
	public MqttEmbeddedBrokerUnavailableException() {
		super("mqtt.embedded.enabled is true, but the embedded broker (Moquette, " + MOQUETTE_COORDINATES
				+ ") is not on the class path");
	}

}
