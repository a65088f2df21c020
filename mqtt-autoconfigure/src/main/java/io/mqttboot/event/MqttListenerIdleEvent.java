package io.mqttboot.event;

import java.time.Duration;

/**
 * Published when a listener received no message for its idle event interval
 * ({@code @MqttListener(idleEventInterval = "30s")}), and again after each further
 * interval without messages. Published on a worker thread of the listener.
 *
 * @since 0.1.0
 */
public class MqttListenerIdleEvent extends MqttListenerEvent {

	private final Duration idleTime;

	private final boolean paused;

	/**
	 * Create a new event.
	 * @param source the listener container
	 * @param listenerId the listener id
	 * @param clientName the configured name of the client the listener receives from
	 * @param idleTime how long no message arrived
	 * @param paused whether the listener is paused
	 */
	public MqttListenerIdleEvent(Object source, String listenerId, String clientName, Duration idleTime,
			boolean paused) {
		super(source, listenerId, clientName);
		this.idleTime = idleTime;
		this.paused = paused;
	}

	/**
	 * Return how long no message arrived for the listener.
	 * @return the idle time
	 */
	public Duration getIdleTime() {
		return this.idleTime;
	}

	/**
	 * Return whether the listener is paused.
	 * @return whether it is paused
	 */
	public boolean isPaused() {
		return this.paused;
	}

	@Override
	public String toString() {
		return "MqttListenerIdleEvent[listener=" + getListenerId() + ", client=" + getClientName() + ", idleTime="
				+ this.idleTime + ", paused=" + this.paused + "]";
	}

}
