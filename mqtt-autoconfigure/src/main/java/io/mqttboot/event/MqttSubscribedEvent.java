package io.mqttboot.event;

import java.util.List;

/**
 * Published when the broker answered a SUBSCRIBE and granted at least one of its
 * subscriptions.
 *
 * @since 0.1.0
 */
public class MqttSubscribedEvent extends MqttClientEvent {

	private final List<String> filters;

	/**
	 * Create a new event.
	 * @param source the publishing component
	 * @param clientName the configured client name
	 * @param clientId the MQTT client identifier
	 * @param filters the granted topic filters
	 */
	public MqttSubscribedEvent(Object source, String clientName, String clientId, List<String> filters) {
		super(source, clientName, clientId);
		this.filters = List.copyOf(filters);
	}

	/**
	 * Return the granted topic filters.
	 * @return the filters
	 */
	public List<String> getFilters() {
		return this.filters;
	}

}
