package io.mqttboot.core;

import com.hivemq.client.mqtt.MqttClientBuilder;

/**
 * Callback to customize the HiveMQ {@link MqttClientBuilder} of every managed client
 * before the protocol version is chosen, for settings this library does not expose
 * (executor configuration, proxies, additional lifecycle listeners, custom SSL).
 * <p>
 * This is the only place where HiveMQ types appear in the public API. Customizer beans are
 * applied in {@link org.springframework.core.Ordered order}. Do not register a disconnected
 * listener that schedules reconnects: the managed client owns reconnection.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MqttClientCustomizer {

	/**
	 * Customize the client builder.
	 * @param builder the builder, with identifier and transport already set
	 */
	void customize(MqttClientBuilder builder);

}
