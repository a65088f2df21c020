package io.mqttboot.listener;

/**
 * When a listener container acknowledges a message. A listener method returning a
 * {@link java.util.concurrent.CompletableFuture} is acknowledged when the future completes
 * normally, in either mode.
 *
 * @since 0.1.0
 */
public enum MqttAckMode {

	/**
	 * Acknowledge after the listener returns (or after the error handler dealt with its
	 * failure).
	 */
	AUTO,

	/**
	 * The listener acknowledges with {@link MqttAcknowledgment#acknowledge()}, from any
	 * thread, also later. A listener failure still goes to the error handler, which
	 * acknowledges when it returns.
	 */
	MANUAL

}
