package io.mqttboot.event;

/**
 * Published when a listener was paused: its subscriptions stay, its workers take no further
 * messages (the one in progress finishes).
 *
 * @since 0.1.0
 */
public class MqttListenerPausedEvent extends MqttListenerEvent {

	/**
	 * Create a new event.
	 * @param source the listener container
	 * @param listenerId the listener id
	 * @param clientName the configured name of the client the listener receives from
	 */
	public MqttListenerPausedEvent(Object source, String listenerId, String clientName) {
		super(source, listenerId, clientName);
	}

}
