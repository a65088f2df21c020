package io.mqttboot.event;

import org.springframework.context.ApplicationEvent;

/**
 * Base class for events about one {@code @MqttListener} container: started, stopped,
 * paused, resumed, idle. The source is the container.
 *
 * @since 0.1.0
 */
public abstract class MqttListenerEvent extends ApplicationEvent {

	private final String listenerId;

	private final String clientName;

	/**
	 * Create a new event.
	 * @param source the listener container
	 * @param listenerId the listener id
	 * @param clientName the configured name of the client the listener receives from
	 */
	protected MqttListenerEvent(Object source, String listenerId, String clientName) {
		super(source);
		this.listenerId = listenerId;
		this.clientName = clientName;
	}

	/**
	 * Return the listener id.
	 * @return the id
	 */
	public String getListenerId() {
		return this.listenerId;
	}

	/**
	 * Return the configured name of the client the listener receives from.
	 * @return the client name
	 */
	public String getClientName() {
		return this.clientName;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[listener=" + this.listenerId + ", client=" + this.clientName + "]";
	}

}
