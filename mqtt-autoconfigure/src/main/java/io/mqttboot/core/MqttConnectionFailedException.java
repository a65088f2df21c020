package io.mqttboot.core;

import java.net.URI;

import org.jspecify.annotations.Nullable;

/**
 * Thrown on startup when a client with {@code fail-fast} set could not connect to its
 * broker. The message names the client, its client id, the broker (without user-info)
 * and the cause; a Spring Boot failure analyzer turns it into the "APPLICATION FAILED TO
 * START" report.
 *
 * @since 0.1.0
 */
public class MqttConnectionFailedException extends MqttException {

	private final String clientName;

	private final URI serverUri;

	private final String reason;

	/**
	 * Create a new exception.
	 * @param clientName the configured client name, {@code default} for the default client
	 * @param clientId the MQTT client identifier
	 * @param serverUri the broker URI, without user-info
	 * @param reason what went wrong, such as {@code ConnectException: Connection refused}
	 * @param cause the failure of the connection attempt
	 */
	public MqttConnectionFailedException(String clientName, String clientId, URI serverUri, String reason,
			@Nullable Throwable cause) {
		super("MQTT client '" + clientName + "' (client id '" + clientId + "') could not connect to " + serverUri
				+ " and mqtt.fail-fast is true: " + reason, cause);
		this.clientName = clientName;
		this.serverUri = serverUri;
		this.reason = reason;
	}

	/**
	 * Return the name of the client that could not connect.
	 * @return the configured client name
	 */
	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Return the broker the client tried to connect to.
	 * @return the broker URI, without user-info
	 */
	public URI getServerUri() {
		return this.serverUri;
	}

	/**
	 * Return why the connection failed.
	 * @return the reason, such as {@code ConnectException: Connection refused}
	 */
	public String getReason() {
		return this.reason;
	}

}
