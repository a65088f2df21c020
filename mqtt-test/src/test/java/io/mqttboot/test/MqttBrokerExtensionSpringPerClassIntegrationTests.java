package io.mqttboot.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for {@link MqttBrokerExtension} with a Spring Boot test whose context is created
 * before {@code beforeAll}, because the test instance is created first.
 */
@TestInstance(Lifecycle.PER_CLASS)
@SpringBootTest(classes = MqttBrokerExtensionSpringPerClassIntegrationTests.ClientConfiguration.class)
class MqttBrokerExtensionSpringPerClassIntegrationTests {

	@RegisterExtension
	static MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@DynamicPropertySource
	static void mqttProperties(DynamicPropertyRegistry registry) {
		registry.add("mqtt.url", broker::getUrl);
	}

	@Autowired
	private TestClient client;

	@Value("${mqtt.url}")
	private String url;

	@Test
	void contextShouldConnectToTheBrokerWhileStarting() {
		assertThat(this.url).isEqualTo(broker.get().getUrl());
		assertThat(this.client.isConnected()).isTrue();
	}

	@Configuration(proxyBeanMethods = false)
	static class ClientConfiguration {

		// Connects while the context refreshes: proves the broker runs before the supplier is read.
		@Bean(destroyMethod = "close")
		TestClient testClient(@Value("${mqtt.url}") String url) {
			return TestClient.to(url).connect();
		}

	}

}
