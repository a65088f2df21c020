package io.mqttboot.event;

/**
 * Published when a client connected (or reconnected) and the broker accepted the CONNECT.
 *
 * @since 0.1.0
 */
public class MqttConnectedEvent extends MqttClientEvent {

	private final boolean sessionPresent;

	private final boolean reconnect;

	/**
	 * Create a new event.
	 * @param source the publishing component
	 * @param clientName the configured client name
	 * @param clientId the MQTT client identifier
	 * @param sessionPresent whether the broker resumed an existing session (CONNACK
	 * session-present flag, [MQTT-3.2.2-2])
	 * @param reconnect whether this connection follows a lost one
	 */
	public MqttConnectedEvent(Object source, String clientName, String clientId, boolean sessionPresent,
			boolean reconnect) {
		super(source, clientName, clientId);
		this.sessionPresent = sessionPresent;
		this.reconnect = reconnect;
	}

	/**
	 * Return whether the broker resumed an existing session.
	 * @return the CONNACK session-present flag
	 */
	public boolean isSessionPresent() {
		return this.sessionPresent;
	}

	/**
	 * Return whether this connection follows a lost one.
	 * @return {@code true} for a reconnect
	 */
	public boolean isReconnect() {
		return this.reconnect;
	}

	@Override
	public String toString() {
		return "MqttConnectedEvent[client=" + getClientName() + ", clientId=" + getClientId() + ", sessionPresent="
				+ this.sessionPresent + ", reconnect=" + this.reconnect + "]";
	}

}
