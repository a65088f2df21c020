package io.mqttboot;

import java.time.Duration;
import java.util.function.Predicate;

import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttSubscriptionStatus;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Helpers for tests that run {@code @MqttListener} beans in an application context.
 */
public final class ListenerContexts {

	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	private ListenerContexts() {
	}

	/**
	 * Wait until the default client is connected and the broker answered every
	 * subscription.
	 * @param context the application context
	 * @return the default client
	 */
	public static MqttClientManager awaitSubscribed(ApplicationContext context) {
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		awaitSubscribed(manager);
		return manager;
	}

	/**
	 * Wait until a client is connected and the broker answered every subscription,
	 * granting or refusing it.
	 * @param manager the client
	 */
	public static void awaitSubscribed(MqttClientManager manager) {
		awaitSubscribed(manager, DEFAULT_TIMEOUT);
	}

	/**
	 * Wait until a client is connected and the broker answered every subscription,
	 * granting or refusing it.
	 * @param manager the client
	 * @param atMost how long to wait
	 */
	public static void awaitSubscribed(MqttClientManager manager, Duration atMost) {
		awaitSubscriptions(manager, atMost, (status) -> status.reasonCode() != null);
	}

	/**
	 * Wait until a client is connected and the broker granted every subscription.
	 * @param manager the client
	 */
	public static void awaitGranted(MqttClientManager manager) {
		awaitGranted(manager, DEFAULT_TIMEOUT);
	}

	/**
	 * Wait until a client is connected and the broker granted every subscription.
	 * @param manager the client
	 * @param atMost how long to wait
	 */
	public static void awaitGranted(MqttClientManager manager, Duration atMost) {
		awaitSubscriptions(manager, atMost, (status) -> status.grantedQos() != null);
	}

	/**
	 * Wait until a named client is connected and the broker granted every subscription.
	 * @param context the application context
	 * @param clientName the name of the client
	 * @return the client
	 */
	public static MqttClientManager awaitGranted(ApplicationContext context, String clientName) {
		MqttClientManager manager = context.getBean(MqttClientRegistry.class).getClientManager(clientName);
		awaitGranted(manager);
		return manager;
	}

	private static void awaitSubscriptions(MqttClientManager manager, Duration atMost,
			Predicate<MqttSubscriptionStatus> answered) {
		await().atMost(atMost)
			.until(() -> manager.isConnected() && !manager.getSubscriptions().isEmpty()
					&& manager.getSubscriptions().stream().allMatch(answered));
	}

	/**
	 * Return the container of a listener, failing the test if there is none.
	 * @param context the application context
	 * @param id the listener id
	 * @return the container
	 */
	public static MqttListenerContainer container(ApplicationContext context, String id) {
		MqttListenerContainer container = context.getBean(MqttListenerEndpointRegistry.class).getListenerContainer(id);
		assertThat(container).as("container '%s'", id).isNotNull();
		return container;
	}

}
