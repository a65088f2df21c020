package io.mqttboot.listener;

import java.util.List;

import io.mqttboot.core.MqttSubscription;

import org.springframework.context.Lifecycle;

/**
 * Runs one listener endpoint: receives the messages that match its subscriptions from the
 * client's dispatcher, processes them on its own threads and reports what it did.
 * Obtain containers from the {@code MqttListenerEndpointRegistry}; not meant to be
 * implemented by applications.
 *
 * @since 0.1.0
 */
public interface MqttListenerContainer extends Lifecycle {

	/**
	 * Return the listener id.
	 * @return the id
	 */
	String getListenerId();

	/**
	 * Return the name of the client this container receives from.
	 * @return the client name
	 */
	String getClientName();

	/**
	 * Return the subscriptions of this container (shared ones as {@code $share/g/f}).
	 * @return the subscriptions
	 */
	List<MqttSubscription> getSubscriptions();

	/**
	 * Return whether the container starts with the application.
	 * @return the auto-startup flag
	 */
	boolean isAutoStartup();

	/**
	 * Stop taking messages while keeping the subscriptions: messages arriving meanwhile
	 * wait in the queues, QoS 1/2 ones unacknowledged, so that the broker holds back
	 * further ones once its in-flight window is full. The message in progress finishes.
	 * Does nothing when already paused.
	 */
	void pause();

	/**
	 * Take messages again after {@link #pause()}. Does nothing when not paused.
	 */
	void resume();

	/**
	 * Return whether the container is paused. A paused container that is stopped and
	 * started again stays paused.
	 * @return whether it is paused
	 */
	boolean isPaused();

	/**
	 * Return the number of messages waiting in the container's queues.
	 * @return the queue depth
	 */
	int getQueued();

	/**
	 * Return the highest queue depth seen since start.
	 * @return the high-water mark
	 */
	int getMaxQueued();

	/**
	 * Return the number of messages processed successfully.
	 * @return the count
	 */
	long getProcessed();

	/**
	 * Return the number of messages that failed after all retries and went to the error
	 * handler.
	 * @return the count
	 */
	long getFailed();

	/**
	 * Return the number of QoS 0 messages dropped because the queue was full.
	 * @return the count
	 */
	long getDropped();

	/**
	 * Return the number of messages a {@link MqttMessageFilter} rejected: acknowledged
	 * without invoking the listener.
	 * @return the count
	 */
	long getFiltered();

}
