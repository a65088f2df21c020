package io.mqttboot.annotation;

import io.mqttboot.config.MqttListenerConfigUtils;
import io.mqttboot.config.MqttListenerEndpointRegistry;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers the {@link MqttListenerAnnotationBeanPostProcessor} and the
 * {@link MqttListenerEndpointRegistry} unless the application defined them.
 *
 * @since 0.1.0
 * @see EnableMqtt
 */
public class MqttBootstrapConfiguration implements ImportBeanDefinitionRegistrar {

	@Override
	public void registerBeanDefinitions(AnnotationMetadata importingClassMetadata, BeanDefinitionRegistry registry) {
		if (!registry.containsBeanDefinition(MqttListenerConfigUtils.MQTT_LISTENER_ANNOTATION_PROCESSOR_BEAN_NAME)) {
			RootBeanDefinition definition = new RootBeanDefinition(MqttListenerAnnotationBeanPostProcessor.class);
			definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
			registry.registerBeanDefinition(MqttListenerConfigUtils.MQTT_LISTENER_ANNOTATION_PROCESSOR_BEAN_NAME,
					definition);
		}
		if (!registry.containsBeanDefinition(MqttListenerConfigUtils.MQTT_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)) {
			RootBeanDefinition definition = new RootBeanDefinition(MqttListenerEndpointRegistry.class);
			definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
			registry.registerBeanDefinition(MqttListenerConfigUtils.MQTT_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME,
					definition);
		}
	}

}
