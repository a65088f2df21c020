package io.mqttboot.testcontainers;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttConnectionDetails;
import io.mqttboot.core.MqttTemplate;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @ServiceConnection} mosquitto container. Runs only where Docker is available
 * (skipped on machines without a Docker engine).
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringJUnitConfig
class MqttContainerConnectionDetailsFactoryIntegrationTests {

	@Container
	@ServiceConnection
	static final GenericContainer<?> mosquitto = new GenericContainer<>("eclipse-mosquitto:2")
		.withExposedPorts(1883)
		.withCommand("mosquitto", "-c", "/mosquitto-no-auth.conf");

	@Autowired
	MqttConnectionDetails connectionDetails;

	@Autowired
	MqttClientManager clientManager;

	@Autowired
	MqttTemplate template;

	@Test
	void connectionDetailsShouldPointAtTheContainer() {
		assertThat(this.connectionDetails.getServerUri().toString())
			.isEqualTo("tcp://" + mosquitto.getHost() + ":" + mosquitto.getMappedPort(1883));
		await().until(this.clientManager::isConnected);
		this.template.publish("container/hello", "hello");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(MqttAutoConfiguration.class)
	static class TestConfiguration {

	}

}
