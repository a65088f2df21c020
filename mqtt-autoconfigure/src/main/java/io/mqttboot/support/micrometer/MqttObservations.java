package io.mqttboot.support.micrometer;

/**
 * Names of the observations and their key values. Micrometer's default meter handler
 * turns each observation into a timer of the same name; a tracing bridge turns it into a
 * span and propagates its context through MQTT 5 user properties ({@code traceparent},
 * {@code tracestate} for W3C).
 *
 * @since 0.1.0
 */
public final class MqttObservations {

	/**
	 * Observation (and timer) of a publish through {@code MqttTemplate}, from the call to
	 * the broker's acknowledgement.
	 */
	public static final String PUBLISH = "mqtt.publish.duration";

	/**
	 * Observation (and timer) of one listener processing one message, retries included.
	 */
	public static final String LISTENER = "mqtt.listener.duration";

	/**
	 * Low-cardinality key: the client name.
	 */
	public static final String CLIENT = "client";

	/**
	 * Low-cardinality key: the listener id.
	 */
	public static final String LISTENER_ID = "listener";

	/**
	 * Low-cardinality key: the QoS.
	 */
	public static final String QOS = "qos";

	/**
	 * Low-cardinality key: {@code success} or {@code failure}.
	 */
	public static final String OUTCOME = "outcome";

	/**
	 * High-cardinality key: the concrete topic name (a span attribute, never a metric tag).
	 */
	public static final String TOPIC = "messaging.destination.name";

	/**
	 * Low-cardinality key: the messaging system, always {@code mqtt}.
	 */
	public static final String SYSTEM = "messaging.system";

	private MqttObservations() {
	}

}
