package io.mqttboot;

import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Helpers for tests that run {@code @MqttListener} beans in an application context.
 */
public final class ListenerContexts {

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
		await().until(() -> manager.isConnected() && !manager.getSubscriptions().isEmpty()
				&& manager.getSubscriptions().stream().allMatch((status) -> status.reasonCode() != null));
		return manager;
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
