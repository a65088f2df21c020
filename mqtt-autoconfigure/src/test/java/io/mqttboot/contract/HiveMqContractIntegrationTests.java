package io.mqttboot.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.actuate.endpoint.MqttEndpoint.InFlightDescriptor;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.autoconfigure.actuate.MqttEndpointAutoConfiguration;
import io.mqttboot.autoconfigure.metrics.MqttMetricsAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.FaultProxy;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker contract against HiveMQ Community Edition (child JVM), and what its receive
 * maximum of 10 means for the outgoing in-flight figures.
 */
class HiveMqContractIntegrationTests extends BrokerContractTests {

	HiveMqContractIntegrationTests() {
		super(ContractBroker.HIVEMQ);
	}

	@Test
	void outgoingInFlightShouldSplitSentFromQueuedBehindTheBrokersReceiveMaximum() {
		try (FaultProxy proxy = FaultProxy.to(broker())) {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
						MetricsAutoConfiguration.class, ObservationAutoConfiguration.class,
						MqttMetricsAutoConfiguration.class, MqttEndpointAutoConfiguration.class))
				.withUserConfiguration(RegistryConfiguration.class)
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "management.endpoints.web.exposure.include=mqtt",
						"mqtt.keep-alive=60")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					await().until(manager::isConnected);
					MqttTemplate template = context.getBean(MqttTemplate.class);
					proxy.freeze();
					List<CompletableFuture<MqttPublishResult>> sent = new ArrayList<>();
					for (int i = 0; i < 30; i++) {
						sent.add(template.newMessage("m" + i).topic("contract/window").qos(1).publishAsync());
					}
					await().until(() -> manager.getInFlight().getOutgoingQos1() == 30);
					// HiveMQ CE's default server receive maximum.
					InFlightDescriptor frozen = context.getBean(MqttEndpoint.class)
						.clients()
						.clients()
						.get("default")
						.inFlight();
					assertThat(frozen.outgoingWindow()).isEqualTo(10);
					assertThat(frozen.outgoingSent()).isEqualTo(10);
					assertThat(frozen.outgoingQueued()).isEqualTo(20);
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					assertThat(registry.get("mqtt.inflight.queued").tags("client", "default").gauge().value())
						.isEqualTo(20);
					proxy.unfreeze();
					CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
					assertThat(manager.getInFlight().getOutgoingSent()).isZero();
					assertThat(manager.getInFlight().getOutgoingQueued()).isZero();
				});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class RegistryConfiguration {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
