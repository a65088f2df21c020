package io.mqttboot.event;

/**
 * Published when a listener container started its workers.
 *
 * @since 0.1.0
 */
public class MqttListenerStartedEvent extends MqttListenerEvent {

	/**
	 * Create a new event.
	 * @param source the listener container
	 * @param listenerId the listener id
	 * @param clientName the configured name of the client the listener receives from
	 */
	public MqttListenerStartedEvent(Object source, String listenerId, String clientName) {
		super(source, listenerId, clientName);
	}

}
