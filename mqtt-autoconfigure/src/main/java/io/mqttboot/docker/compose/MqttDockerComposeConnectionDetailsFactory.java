package io.mqttboot.docker.compose;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttConnectionDetails;

import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionDetailsFactory;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionSource;

/**
 * Creates {@link MqttConnectionDetails} for a Docker Compose service running mosquitto
 * ({@code eclipse-mosquitto}), HiveMQ ({@code hivemq/hivemq-ce}, {@code hivemq/hivemq4}) or
 * EMQX ({@code emqx/emqx}) with container port 1883 published. Credentials, when the broker
 * needs them, come from the service's environment variables {@code MQTT_USERNAME} and
 * {@code MQTT_PASSWORD} (EMQX: {@code EMQX_DASHBOARD__DEFAULT_USERNAME} is not an MQTT user
 * and is ignored).
 *
 * @since 0.1.0
 */
class MqttDockerComposeConnectionDetailsFactory extends DockerComposeConnectionDetailsFactory<MqttConnectionDetails> {

	private static final String[] IMAGES = { "eclipse-mosquitto", "hivemq/hivemq-ce", "hivemq/hivemq4", "emqx/emqx",
			"emqx" };

	MqttDockerComposeConnectionDetailsFactory() {
		super(IMAGES);
	}

	@Override
	protected MqttConnectionDetails getDockerComposeConnectionDetails(DockerComposeConnectionSource source) {
		return new MqttDockerComposeConnectionDetails(source.getRunningService());
	}

	/**
	 * {@link MqttConnectionDetails} backed by a running Docker Compose service.
	 */
	static final class MqttDockerComposeConnectionDetails extends DockerComposeConnectionDetails
			implements MqttConnectionDetails {

		private final URI serverUri;

		private final @Nullable String username;

		private final @Nullable String password;

		MqttDockerComposeConnectionDetails(RunningService service) {
			super(service);
			this.serverUri = URI.create("tcp://" + service.host() + ":" + service.ports().get(1883));
			this.username = service.env().get("MQTT_USERNAME");
			this.password = service.env().get("MQTT_PASSWORD");
		}

		@Override
		public URI getServerUri() {
			return this.serverUri;
		}

		@Override
		public @Nullable String getUsername() {
			return this.username;
		}

		@Override
		public @Nullable String getPassword() {
			return this.password;
		}

	}

}
