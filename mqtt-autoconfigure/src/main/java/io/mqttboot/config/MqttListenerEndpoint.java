package io.mqttboot.config;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttSubscription;
import io.mqttboot.listener.MqttListenerErrorHandler;
import io.mqttboot.listener.MqttMessageFilter;
import io.mqttboot.listener.MqttMessageListener;

/**
 * The model of one listener: what to subscribe to and what to invoke. Built from an
 * {@link io.mqttboot.annotation.MqttListener @MqttListener} method or programmatically,
 * and turned into a container by a {@link MqttListenerContainerFactory}.
 *
 * @since 0.1.0
 */
public interface MqttListenerEndpoint {

	/**
	 * Return the unique id of the listener.
	 * @return the id
	 */
	String getId();

	/**
	 * Return the name of the client to receive with.
	 * @return the client name
	 */
	String getClientName();

	/**
	 * Return the subscriptions, with share groups applied.
	 * @return the subscriptions
	 */
	List<MqttSubscription> getSubscriptions();

	/**
	 * Return the number of threads, or {@code null} for the factory's default.
	 * @return the concurrency
	 */
	@Nullable Integer getConcurrency();

	/**
	 * Return whether to start with the application, or {@code null} for the factory's
	 * default.
	 * @return the auto-startup flag
	 */
	@Nullable Boolean getAutoStartup();

	/**
	 * Return the error handler, or {@code null} for the factory's default.
	 * @return the error handler
	 */
	@Nullable MqttListenerErrorHandler getErrorHandler();

	/**
	 * Return the filter that decides whether the listener processes a message, or
	 * {@code null} to process all.
	 * @return the filter
	 */
	default @Nullable MqttMessageFilter getMessageFilter() {
		return null;
	}

	/**
	 * Return the largest batch for a batch listener, or {@code null} for the container's
	 * default (100).
	 * @return the maximum batch size
	 */
	default @Nullable Integer getBatchMaxSize() {
		return null;
	}

	/**
	 * Return how long a batch listener's worker collects a batch after its first message,
	 * or {@code null} for the container's default (100 ms).
	 * @return the maximum wait
	 */
	default @Nullable Duration getBatchMaxWait() {
		return null;
	}

	/**
	 * Return after how long without messages the container publishes an
	 * {@code MqttListenerIdleEvent}, or {@code null} for no idle events.
	 * @return the idle event interval
	 */
	default @Nullable Duration getIdleEventInterval() {
		return null;
	}

	/**
	 * Create the listener the container invokes.
	 * @return the listener
	 */
	MqttMessageListener createMessageListener();

}
