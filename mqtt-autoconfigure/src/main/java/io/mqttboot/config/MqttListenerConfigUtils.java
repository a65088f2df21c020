package io.mqttboot.config;

/**
 * Bean names of the listener infrastructure, so that auto-configuration can back off when
 * an application defines its own.
 *
 * @since 0.1.0
 */
public final class MqttListenerConfigUtils {

	/**
	 * The bean name of the annotation post-processor.
	 */
	public static final String MQTT_LISTENER_ANNOTATION_PROCESSOR_BEAN_NAME = "io.mqttboot.config.internalMqttListenerAnnotationProcessor";

	/**
	 * The bean name of the {@link MqttListenerEndpointRegistry}.
	 */
	public static final String MQTT_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME = "mqttListenerEndpointRegistry";

	/**
	 * The bean name of the default {@link MqttListenerContainerFactory}.
	 */
	public static final String MQTT_LISTENER_CONTAINER_FACTORY_BEAN_NAME = "mqttListenerContainerFactory";

	private MqttListenerConfigUtils() {
	}

}
