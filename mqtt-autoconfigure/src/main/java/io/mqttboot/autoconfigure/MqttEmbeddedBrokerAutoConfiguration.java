package io.mqttboot.autoconfigure;

import java.net.URI;

import io.mqttboot.core.MqttConnectionDetails;
import io.mqttboot.embedded.MqttEmbeddedBroker;
import io.mqttboot.embedded.MqttEmbeddedBrokerUnavailableException;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of an embedded Moquette broker, enabled by
 * {@code mqtt.embedded.enabled=true}. The default client connects to it: the
 * {@link MqttConnectionDetails} defined here take precedence over {@code mqtt.url}.
 * <p>
 * Runs before {@link MqttAutoConfiguration} so that its connection details are seen
 * there. When Moquette is not on the classpath, startup fails with
 * {@link MqttEmbeddedBrokerUnavailableException} rather than silently connecting to
 * {@code mqtt.url}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MqttAutoConfiguration.class)
@ConditionalOnBooleanProperty("mqtt.embedded.enabled")
@EnableConfigurationProperties(MqttEmbeddedBrokerProperties.class)
public final class MqttEmbeddedBrokerAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.moquette.broker.Server")
	static class MoquetteConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MqttEmbeddedBroker mqttEmbeddedBroker(MqttEmbeddedBrokerProperties properties) {
			return new MqttEmbeddedBroker(properties.getHost(), properties.getPort());
		}

		@Bean
		@ConditionalOnMissingBean(MqttConnectionDetails.class)
		EmbeddedBrokerMqttConnectionDetails mqttEmbeddedBrokerConnectionDetails(MqttEmbeddedBroker broker) {
			return new EmbeddedBrokerMqttConnectionDetails(broker);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("io.moquette.broker.Server")
	static class MissingMoquetteConfiguration {

		MissingMoquetteConfiguration() {
			throw new MqttEmbeddedBrokerUnavailableException();
		}

	}

	/**
	 * Connection details that ask the broker for its URL on every call: with port 0 the
	 * port is only known once the broker has bound it, which the first call triggers.
	 */
	static final class EmbeddedBrokerMqttConnectionDetails implements MqttConnectionDetails {

		private final MqttEmbeddedBroker broker;

		EmbeddedBrokerMqttConnectionDetails(MqttEmbeddedBroker broker) {
			this.broker = broker;
		}

		@Override
		public URI getServerUri() {
			return URI.create(this.broker.getUrl());
		}

	}

}
