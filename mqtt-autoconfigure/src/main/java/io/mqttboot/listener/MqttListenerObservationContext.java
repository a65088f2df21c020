package io.mqttboot.listener;

import java.util.Map;

import io.micrometer.observation.transport.ReceiverContext;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * Context of a listener observation. Its carrier is the received message, whose MQTT 5
 * user properties a propagating tracing handler reads to continue the publisher's trace.
 *
 * @since 0.1.0
 */
public class MqttListenerObservationContext extends ReceiverContext<MqttReceivedMessage> {

	private final String listenerId;

	/**
	 * Create a context.
	 * @param message the received message
	 * @param listenerId the listener id
	 */
	public MqttListenerObservationContext(MqttReceivedMessage message, String listenerId) {
		super((carrier, key) -> {
			String value = null;
			for (Map.Entry<String, String> property : carrier.getUserProperties()) {
				if (property.getKey().equals(key)) {
					value = property.getValue();
				}
			}
			return value;
		});
		setCarrier(message);
		setRemoteServiceName("mqtt");
		this.listenerId = listenerId;
	}

	/**
	 * Return the listener id.
	 * @return the listener id
	 */
	public String getListenerId() {
		return this.listenerId;
	}

}
