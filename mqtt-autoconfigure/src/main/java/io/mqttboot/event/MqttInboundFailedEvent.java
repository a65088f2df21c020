package io.mqttboot.event;

/**
 * Published when a client's flow of incoming messages ended unexpectedly. Until it is
 * renewed (at once, or after a back-off when it keeps failing), the MQTT client
 * acknowledges incoming messages without delivering them to any listener, so messages
 * arriving in that window are lost; health is DOWN meanwhile and the
 * {@code mqtt.inbound.failures} meter counts each failure.
 *
 * @since 0.1.0
 */
public class MqttInboundFailedEvent extends MqttClientEvent {

	private final Throwable cause;

	/**
	 * Create a new event.
	 * @param source the publishing component
	 * @param clientName the configured client name
	 * @param clientId the MQTT client identifier
	 * @param cause why the flow of incoming messages ended
	 */
	public MqttInboundFailedEvent(Object source, String clientName, String clientId, Throwable cause) {
		super(source, clientName, clientId);
		this.cause = cause;
	}

	/**
	 * Return why the flow of incoming messages ended.
	 * @return the cause
	 */
	public Throwable getCause() {
		return this.cause;
	}

	@Override
	public String toString() {
		return "MqttInboundFailedEvent[client=" + getClientName() + ", clientId=" + getClientId() + ", cause="
				+ this.cause + "]";
	}

}
