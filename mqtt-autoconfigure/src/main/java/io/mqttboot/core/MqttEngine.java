package io.mqttboot.core;

import java.util.concurrent.CompletableFuture;

/**
 * The one internal adapter between this library and the MQTT engine (HiveMQ MQTT client).
 * HiveMQ types stay behind this interface so that the public API never exposes them.
 */
interface MqttEngine {

	/**
	 * Connect. The future completes when the broker accepted the CONNECT, possibly after
	 * reconnect attempts, or fails when {@link Callbacks#disconnected} declined to retry.
	 * @return a future with the CONNACK session-present flag
	 */
	CompletableFuture<Boolean> connect();

	/**
	 * Publish a message; never blocks.
	 * @param publish the message
	 * @return a future completed on PUBACK/PUBCOMP (QoS 0: on write)
	 */
	CompletableFuture<MqttPublishResult> publish(OutboundPublish publish);

	/**
	 * Disconnect normally (DISCONNECT with reason 0, so the broker discards the Will).
	 * @return a future completed when the connection is closed
	 */
	CompletableFuture<Void> disconnect();

	/**
	 * Events from the engine, called on a network thread: implementations must not block.
	 */
	interface Callbacks {

		/**
		 * Called when a connection is established.
		 * @param sessionPresent the CONNACK session-present flag
		 */
		void connected(boolean sessionPresent);

		/**
		 * Called when a connection is lost or a connect attempt failed.
		 * @param cause why
		 * @param byUser whether {@link MqttEngine#disconnect()} caused it
		 * @param attempts consecutive failed attempts so far
		 * @return the delay in milliseconds before the next attempt, or a negative value to
		 * stop reconnecting
		 */
		long disconnected(Throwable cause, boolean byUser, int attempts);

	}

}
