package io.mqttboot.core.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.mqttboot.core.MqttInFlightTracker;
import io.mqttboot.core.MqttInboundHandler;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.core.OutboundPublish;

/**
 * The one internal adapter between this library and the MQTT engine (HiveMQ MQTT client).
 * HiveMQ types stay behind this interface so that the public API never exposes them.
 * <p>
 * Internal: not for use by applications; may change without notice.
 */
public interface MqttEngine {

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
	 * Return the highest QoS the broker accepts on the current (or last) connection, as
	 * announced in an MQTT 5 CONNACK [MQTT-3.2.2-9].
	 * @return 0, 1 or 2; 2 when the broker announced no limit or speaks MQTT 3.1.1
	 */
	default int maximumQos() {
		return 2;
	}

	/**
	 * Return how many outgoing QoS 1 and QoS 2 PUBLISH packets may be unacknowledged at once on
	 * the current (or last) connection: the broker's Receive Maximum from an MQTT 5 CONNACK
	 * [MQTT-3.3.4-7]. The client holds further messages back until acknowledgements free room.
	 * @return the limit; 65,535 when the broker announced none or speaks MQTT 3.1.1
	 */
	default int sendMaximum() {
		return MqttInFlightTracker.UNLIMITED_WINDOW;
	}

	/**
	 * Register the receiver of all incoming messages; call before {@link #connect()}.
	 * Messages are acknowledged only through {@link MqttReceivedMessage#acknowledge()}.
	 * @param clientName the client name to put on received messages
	 * @param handler the handler, called in order on a thread of the MQTT client
	 * @param tracker counts incoming QoS 1/2 messages until acknowledged
	 */
	void setInboundHandler(String clientName, MqttInboundHandler handler, MqttInFlightTracker tracker);

	/**
	 * Subscribe in one SUBSCRIBE packet.
	 * @param subscriptions the subscriptions
	 * @return a future with one code per subscription, in order: the granted QoS (0-2) or
	 * a failure reason code (0x80 and above)
	 */
	CompletableFuture<List<Integer>> subscribe(List<MqttSubscription> subscriptions);

	/**
	 * Unsubscribe in one UNSUBSCRIBE packet.
	 * @param filters the topic filters
	 * @return a future completed on UNSUBACK
	 */
	CompletableFuture<Void> unsubscribe(List<String> filters);

	/**
	 * Disconnect normally (DISCONNECT with reason 0, so the broker discards the Will) and
	 * stop delivering to the inbound handler, which releases the client's threads;
	 * {@link #connect()} delivers again. Also when not connected: a connect attempt under
	 * way is closed when it ends, a pending reconnect is dropped, and SUBSCRIBE or
	 * UNSUBSCRIBE packets still unanswered are cancelled (their futures fail).
	 * @return a future completed when the connection is closed, or when the connect
	 * attempt under way ended
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

		/**
		 * Called after {@link #disconnected} decided to reconnect: whether the reconnect
		 * must drop the client's session state, and with it the unacknowledged messages
		 * the client would otherwise send again. They fail with a session-expired error.
		 * @return whether to drop the session state on this reconnect
		 */
		boolean discardSessionOnReconnect();

		/**
		 * Called when the flow of incoming messages ended unexpectedly: until
		 * {@link #inboundRestored()}, the client acknowledges incoming messages without
		 * delivering them.
		 * @param cause why the flow ended
		 */
		void inboundFailed(Throwable cause);

		/**
		 * Called when incoming messages are delivered again after {@link #inboundFailed},
		 * or the client stopped.
		 */
		void inboundRestored();

		/**
		 * Called when the next connect attempt goes to another server of the list, before
		 * the attempt.
		 * @param serverUri the server the next attempt connects to, without user-info
		 */
		default void serverSelected(java.net.URI serverUri) {
		}

	}

}
