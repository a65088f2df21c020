package io.mqttboot.core;

/**
 * The state of a managed client's connection, as reported to operators.
 *
 * @since 0.1.0
 */
public enum MqttConnectionState {

	/**
	 * The first connection attempt is in progress.
	 */
	CONNECTING,

	/**
	 * Connected: the broker accepted the CONNECT.
	 */
	CONNECTED,

	/**
	 * The connection was lost or a connect attempt failed; the client retries with
	 * back-off.
	 */
	RECONNECTING,

	/**
	 * Not connected and not trying: the client is stopped or was never started.
	 */
	DISCONNECTED

}
