package io.mqttboot.docker.compose;

import java.util.List;
import java.util.Map;

import io.mqttboot.docker.compose.MqttDockerComposeConnectionDetailsFactory.MqttDockerComposeConnectionDetails;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactory;
import org.springframework.boot.docker.compose.core.ConnectionPorts;
import org.springframework.boot.docker.compose.core.ImageReference;
import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MqttDockerComposeConnectionDetailsFactory}, with a described service
 * instead of a running Docker Compose (no Docker engine needed).
 */
class MqttDockerComposeConnectionDetailsFactoryTests {

	@Test
	void detailsShouldUseTheHostThePublishedPortAndTheCredentialsOfTheService() {
		MqttDockerComposeConnectionDetails details = new MqttDockerComposeConnectionDetails(
				service(Map.of("MQTT_USERNAME", "alice", "MQTT_PASSWORD", "secret")));
		assertThat(details.getServerUri().toString()).isEqualTo("tcp://127.0.0.1:32771");
		assertThat(details.getUsername()).isEqualTo("alice");
		assertThat(details.getPassword()).isEqualTo("secret");
	}

	@Test
	void detailsWithoutCredentialsShouldHaveNone() {
		MqttDockerComposeConnectionDetails details = new MqttDockerComposeConnectionDetails(service(Map.of()));
		assertThat(details.getUsername()).isNull();
		assertThat(details.getPassword()).isNull();
	}

	@Test
	void factoriesShouldBeRegistered() {
		List<ConnectionDetailsFactory> factories = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(ConnectionDetailsFactory.class);
		assertThat(factories).extracting((factory) -> factory.getClass().getName())
			.contains(MqttDockerComposeConnectionDetailsFactory.class.getName(),
					"io.mqttboot.testcontainers.MqttContainerConnectionDetailsFactory");
	}

	private static RunningService service(Map<String, String> env) {
		return new RunningService() {

			@Override
			public String name() {
				return "mosquitto";
			}

			@Override
			public ImageReference image() {
				return ImageReference.of("eclipse-mosquitto:2");
			}

			@Override
			public String host() {
				return "127.0.0.1";
			}

			@Override
			public ConnectionPorts ports() {
				return new ConnectionPorts() {

					@Override
					public int get(int containerPort) {
						return (containerPort == 1883) ? 32771 : -1;
					}

					@Override
					public List<Integer> getAll() {
						return List.of(32771);
					}

					@Override
					public List<Integer> getAll(String protocol) {
						return List.of(32771);
					}

				};
			}

			@Override
			public Map<String, String> env() {
				return env;
			}

			@Override
			public Map<String, String> labels() {
				return Map.of();
			}

		};
	}

}
