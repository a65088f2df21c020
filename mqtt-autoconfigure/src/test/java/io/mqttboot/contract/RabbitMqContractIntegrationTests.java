package io.mqttboot.contract;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.event.MqttConnectionLostEvent;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker contract against RabbitMQ with its MQTT plugin (child process, MQTT 3.1.1), and
 * what RabbitMQ does to an MQTT 5 client.
 */
class RabbitMqContractIntegrationTests extends BrokerContractTests {

	RabbitMqContractIntegrationTests() {
		super(ContractBroker.RABBITMQ);
	}

	@Test
	void mqtt5ConnectClosedWithoutConnAckShouldSuggestMqttVersion3() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withUserConfiguration(ConnectionLostEvents.class)
			.withPropertyValues("mqtt.url=" + broker().getUrl(), "mqtt.version=5", "mqtt.reconnect.initial-delay=100ms",
					"mqtt.reconnect.max-delay=1s")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				ConnectionLostEvents events = context.getBean(ConnectionLostEvents.class);
				await().until(() -> !events.causes.isEmpty());
				assertThat(manager.isConnected()).isFalse();
				assertThat(manager.getLastDisconnectReason()).contains("before CONNACK")
					.contains("MQTT 3.1.1")
					.contains("mqtt.version=3");
				assertThat(events.causes.get(0)).hasMessageContaining("mqtt.version=3")
					.cause()
					.hasMessage("Server closed connection without DISCONNECT.");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionLostEvents {

		final List<Throwable> causes = new CopyOnWriteArrayList<>();

		@EventListener
		void onConnectionLost(MqttConnectionLostEvent event) {
			this.causes.add(event.getCause());
		}

	}

}
