package io.mqttboot.event;

/**
 * Published when a listener container stopped: its workers finished, or were given up on
 * after the shutdown timeout.
 *
 * @since 0.1.0
 */
public class MqttListenerStoppedEvent extends MqttListenerEvent {

	/**
	 * Create a new event.
	 * @param source the listener container
	 * @param listenerId the listener id
	 * @param clientName the configured name of the client the listener receives from
	 */
	public MqttListenerStoppedEvent(Object source, String listenerId, String clientName) {
		super(source, listenerId, clientName);
	}

}
