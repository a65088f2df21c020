package io.mqttboot.core;

import java.util.List;
import java.util.Map;

import io.micrometer.observation.transport.SenderContext;

/**
 * Context of a publish observation. Its carrier is the list of MQTT 5 user properties of
 * the outgoing message, so that a propagating tracing handler can add
 * {@code traceparent}/{@code tracestate}.
 *
 * @since 0.1.0
 */
public class MqttPublishObservationContext extends SenderContext<List<Map.Entry<String, String>>> {

	private final String clientName;

	private final String topic;

	private final int qos;

	/**
	 * Create a context.
	 * @param clientName the client name
	 * @param topic the topic name
	 * @param qos the QoS
	 * @param userProperties the mutable user properties of the message
	 */
	public MqttPublishObservationContext(String clientName, String topic, int qos,
			List<Map.Entry<String, String>> userProperties) {
		super((carrier, key, value) -> {
			if (carrier != null) {
				carrier.removeIf((property) -> property.getKey().equals(key));
				carrier.add(Map.entry(key, value));
			}
		});
		setCarrier(userProperties);
		setRemoteServiceName("mqtt");
		this.clientName = clientName;
		this.topic = topic;
		this.qos = qos;
	}

	/**
	 * Return the client name.
	 * @return the client name
	 */
	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Return the topic name.
	 * @return the topic name
	 */
	public String getTopic() {
		return this.topic;
	}

	/**
	 * Return the QoS.
	 * @return the QoS
	 */
	public int getQos() {
		return this.qos;
	}

}
