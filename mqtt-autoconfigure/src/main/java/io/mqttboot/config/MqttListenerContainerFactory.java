package io.mqttboot.config;

import io.mqttboot.listener.ConcurrentMqttListenerContainer;

/**
 * Creates the container that runs a {@link MqttListenerEndpoint}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MqttListenerContainerFactory {

	/**
	 * Create a container for an endpoint.
	 * @param endpoint the endpoint
	 * @return the container, not started
	 */
	ConcurrentMqttListenerContainer createListenerContainer(MqttListenerEndpoint endpoint);

}
