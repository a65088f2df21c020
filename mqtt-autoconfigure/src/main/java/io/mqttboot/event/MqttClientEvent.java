package io.mqttboot.event;

import org.springframework.context.ApplicationEvent;

/**
 * Base class for events about one managed MQTT client.
 * <p>
 * Events are published from a dedicated thread of the client, never from the network
 * event loop, so listeners may block briefly without stalling MQTT traffic.
 *
 * @since 0.1.0
 */
public abstract class MqttClientEvent extends ApplicationEvent {

	private final String clientName;

	private final String clientId;

	/**
	 * Create a new event.
	 * @param source the component that published the event (usually the client manager)
	 * @param clientName the configured name of the client ({@code default} for the primary one)
	 * @param clientId the MQTT client identifier
	 */
	protected MqttClientEvent(Object source, String clientName, String clientId) {
		super(source);
		this.clientName = clientName;
		this.clientId = clientId;
	}

	/**
	 * Return the configured name of the client.
	 * @return the client name, {@code default} for the primary client
	 */
	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Return the MQTT client identifier.
	 * @return the client identifier
	 */
	public String getClientId() {
		return this.clientId;
	}

}
