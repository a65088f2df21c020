package io.mqttboot.integration;

import java.nio.charset.StandardCharsets;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerContainerFactory;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Integration flow from the inbound adapter to the publishing handler, both on the
 * application's one managed connection.
 */
class MqttIntegrationFlowIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withUserConfiguration(FlowConfiguration.class);

	@Test
	void flowShouldReceiveTransformAndPublishOnTheSharedConnection() {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.subscribe("si/out/#", 1);
			this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl()).run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.isConnected() && manager.getSubscriptions().stream()
					.anyMatch((status) -> status.filter().equals("si/in/#") && status.grantedQos() != null));
				context.getBean(MqttTemplate.class).publish("si/in/greeting", "hello flow");
				await().untilAsserted(() -> assertThat(raw.received()).singleElement().satisfies((message) -> {
					assertThat(message.topic()).isEqualTo("si/out/greeting");
					assertThat(message.payload()).isEqualTo("HELLO FLOW");
					assertThat(message.qos()).isEqualTo(1);
				}));
				assertThat(context.getBean(MqttListenerEndpointRegistry.class).getListenerContainer("inbound"))
					.satisfies((container) -> assertThat(container.getProcessed()).isEqualTo(1));
			});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class FlowConfiguration {

		@Bean
		MqttMessageDrivenChannelAdapter inbound(MqttListenerEndpointRegistry registry,
				MqttListenerContainerFactory mqttListenerContainerFactory) {
			return new MqttMessageDrivenChannelAdapter(registry, mqttListenerContainerFactory, "si/in/#");
		}

		@Bean
		IntegrationFlow upperCaseFlow(MqttMessageDrivenChannelAdapter inbound, MqttTemplate mqttTemplate) {
			return IntegrationFlow.from(inbound)
				.<byte[], String>transform((bytes) -> new String(bytes, StandardCharsets.UTF_8).toUpperCase())
				.enrichHeaders((headers) -> headers.headerFunction(MqttHeaders.TOPIC,
						(Message<String> message) -> ((String) message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC))
							.replace("si/in/", "si/out/")))
				.handle(new MqttPublishingMessageHandler(mqttTemplate))
				.get();
		}

	}

}
