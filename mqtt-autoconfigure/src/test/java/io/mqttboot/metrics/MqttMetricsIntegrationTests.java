package io.mqttboot.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.autoconfigure.metrics.MqttMetricsAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Meter values after a known number of messages through a real broker.
 */
class MqttMetricsIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
				MetricsAutoConfiguration.class, ObservationAutoConfiguration.class, MqttMetricsAutoConfiguration.class))
		.withUserConfiguration(RegistryConfiguration.class, CountingListener.class);

	@Test
	void metersShouldCountPublishedReceivedAndProcessedMessages() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl()).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			awaitGranted(manager);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			for (int i = 0; i < 10; i++) {
				template.newMessage("q1").topic("metrics/a").qos(1).publish();
			}
			for (int i = 0; i < 5; i++) {
				template.newMessage("q0").topic("metrics/b").qos(0).publish();
			}
			template.newMessage("q2").topic("metrics/c").qos(2).publish();
			CountingListener listener = context.getBean(CountingListener.class);
			await().untilAsserted(() -> assertThat(listener.received).hasSize(16));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("mqtt.messages.published").tags("client", "default", "qos", "1", "outcome", "success")
				.functionCounter().count()).isEqualTo(10);
			assertThat(registry.get("mqtt.messages.published").tags("qos", "0", "outcome", "success")
				.functionCounter().count()).isEqualTo(5);
			assertThat(registry.get("mqtt.messages.published").tags("qos", "2", "outcome", "success")
				.functionCounter().count()).isEqualTo(1);
			assertThat(registry.get("mqtt.messages.published").tags("qos", "1", "outcome", "failure")
				.functionCounter().count()).isZero();
			assertThat(registry.get("mqtt.messages.published").functionCounters())
				.extracting((counter) -> counter.getId().getDescription())
				.containsOnly("Messages published, by outcome: success (acknowledged; QoS 0: written)"
						+ " or failure (could not be published)");
			assertThat(registry.get("mqtt.messages.received").tags("qos", "1").functionCounter().count()).isEqualTo(10);
			assertThat(registry.get("mqtt.messages.received").tags("qos", "0").functionCounter().count()).isEqualTo(5);
			assertThat(registry.get("mqtt.messages.received").tags("qos", "2").functionCounter().count()).isEqualTo(1);
			await().untilAsserted(() -> assertThat(registry.get("mqtt.listener.duration")
				.tags("listener", "counting", "outcome", "success")
				.timer()
				.count()).isEqualTo(16));
			assertThat(registry.get("mqtt.publish.duration").tags("qos", "1", "outcome", "success").timer().count())
				.isEqualTo(10);
			assertThat(registry.get("mqtt.connected").tags("client", "default").gauge().value()).isEqualTo(1);
			assertThat(registry.get("mqtt.outbox").gauge().value()).isZero();
			assertThat(registry.get("mqtt.inflight").tags("direction", "outgoing", "qos", "1").gauge().value()).isZero();
			assertThat(registry.get("mqtt.reconnects").functionCounter().count()).isZero();
			assertThat(registry.get("mqtt.messages.dropped").functionCounter().count()).isZero();
			// Topic names are span attributes, never metric tags.
			assertThat(registry.getMeters()).allSatisfy((meter) -> assertThat(meter.getId().getTags())
				.noneMatch((tag) -> tag.getValue().startsWith("metrics/")));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class RegistryConfiguration {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CountingListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "counting", topics = "metrics/#", qos = 2)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

}
