package io.mqttboot.testcontainers;

import java.net.URI;
import java.util.List;

import org.testcontainers.containers.Container;

import io.mqttboot.core.MqttConnectionDetails;

import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;

/**
 * Creates {@link MqttConnectionDetails} for a {@code @ServiceConnection} container running
 * mosquitto ({@code eclipse-mosquitto}), HiveMQ ({@code hivemq/hivemq-ce},
 * {@code hivemq/hivemq4}, also {@code org.testcontainers.hivemq.HiveMQContainer}) or EMQX
 * ({@code emqx/emqx}); the broker must listen for MQTT on port 1883.
 *
 * <pre class="code">
 * &#64;Container
 * &#64;ServiceConnection
 * static GenericContainer&lt;?&gt; mosquitto = new GenericContainer&lt;&gt;("eclipse-mosquitto:2")
 * 	.withExposedPorts(1883)
 * 	.withCommand("mosquitto", "-c", "/mosquitto-no-auth.conf");
 * </pre>
 *
 * @since 0.1.0
 */
class MqttContainerConnectionDetailsFactory
		extends ContainerConnectionDetailsFactory<Container<?>, MqttConnectionDetails> {

	/**
	 * The MQTT port the container must expose.
	 */
	static final int MQTT_PORT = 1883;

	MqttContainerConnectionDetailsFactory() {
		super(List.of("eclipse-mosquitto", "hivemq/hivemq-ce", "hivemq/hivemq4", "emqx/emqx", "emqx"));
	}

	@Override
	protected MqttConnectionDetails getContainerConnectionDetails(ContainerConnectionSource<Container<?>> source) {
		return new MqttContainerConnectionDetails(source);
	}

	/**
	 * {@link MqttConnectionDetails} backed by a {@link ContainerConnectionSource}.
	 */
	static final class MqttContainerConnectionDetails extends ContainerConnectionDetails<Container<?>>
			implements MqttConnectionDetails {

		MqttContainerConnectionDetails(ContainerConnectionSource<Container<?>> source) {
			super(source);
		}

		@Override
		public URI getServerUri() {
			Container<?> container = getContainer();
			return URI.create("tcp://" + container.getHost() + ":" + container.getMappedPort(MQTT_PORT));
		}

	}

}
