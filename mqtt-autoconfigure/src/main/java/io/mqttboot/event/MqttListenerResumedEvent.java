package io.mqttboot.event;

/**
 * Published when a paused listener was resumed.
 *
 * @since 0.1.0
 */
public class MqttListenerResumedEvent extends MqttListenerEvent {

	/**
	 * Create a new event.
	 * @param source the listener container
	 * @param listenerId the listener id
	 * @param clientName the configured name of the client the listener receives from
	 */
	public MqttListenerResumedEvent(Object source, String listenerId, String clientName) {
		super(source, listenerId, clientName);
	}

}
