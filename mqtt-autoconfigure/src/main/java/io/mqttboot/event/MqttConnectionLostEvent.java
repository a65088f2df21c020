package io.mqttboot.event;

/**
 * Published when a connection was lost or a connect attempt failed. The client keeps
 * trying to reconnect with back-off unless it is being stopped.
 *
 * @since 0.1.0
 */
public class MqttConnectionLostEvent extends MqttClientEvent {

	private final Throwable cause;

	private final int reconnectAttempts;

	/**
	 * Create a new event.
	 * @param source the publishing component
	 * @param clientName the configured client name
	 * @param clientId the MQTT client identifier
	 * @param cause why the connection was lost or could not be established
	 * @param reconnectAttempts the number of consecutive failed attempts so far
	 */
	public MqttConnectionLostEvent(Object source, String clientName, String clientId, Throwable cause,
			int reconnectAttempts) {
		super(source, clientName, clientId);
		this.cause = cause;
		this.reconnectAttempts = reconnectAttempts;
	}

	/**
	 * Return why the connection was lost.
	 * @return the cause
	 */
	public Throwable getCause() {
		return this.cause;
	}

	/**
	 * Return the number of consecutive failed connection attempts so far.
	 * @return the attempt count, {@code 0} when an established connection was just lost
	 */
	public int getReconnectAttempts() {
		return this.reconnectAttempts;
	}

	@Override
	public String toString() {
		return "MqttConnectionLostEvent[client=" + getClientName() + ", clientId=" + getClientId() + ", cause="
				+ this.cause + ", reconnectAttempts=" + this.reconnectAttempts + "]";
	}

}
