package io.mqttboot.listener;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.actuate.endpoint.MqttEndpoint.ListenerDescriptor;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.autoconfigure.metrics.MqttMetricsAutoConfiguration;
import io.mqttboot.config.DefaultMqttListenerContainerFactory;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.retry.RetryPolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several container factories picked with {@code @MqttListener(containerFactory = ...)},
 * and message filters picked with {@code @MqttListener(filter = ...)}, against a real
 * broker.
 */
class MqttListenerContainerFactoryIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
				MetricsAutoConfiguration.class, MqttMetricsAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms", "mqtt.listener.retry.initial-interval=10ms");

	private RawMqttClient publisher;

	@BeforeEach
	void connectPublisher() {
		this.publisher = RawMqttClient.connect(broker.getHost(), broker.getPort());
	}

	@AfterEach
	void closePublisher() {
		this.publisher.close();
	}

	@Test
	void listenersShouldRunWithTheConcurrencyRetryAndErrorHandlerOfTheirFactory() {
		this.contextRunner.withUserConfiguration(TwoFactories.class, FactoryListeners.class).run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			FactoryListeners listeners = context.getBean(FactoryListeners.class);
			TwoFactories factories = context.getBean(TwoFactories.class);
			for (int i = 0; i < 16; i++) {
				this.publisher.publish("factories/serial/" + i, "s" + i, 1, false);
				this.publisher.publish("factories/parallel/" + i, "p" + i, 1, false);
			}
			this.publisher.publish("factories/serial/fail", "boom", 1, false);
			this.publisher.publish("factories/parallel/fail", "boom", 1, false);
			this.publisher.publish("factories/default/1", "d", 1, false);
			await().untilAsserted(() -> {
				// 16 messages and the failing one: once for serial, 1 + 2 retries for parallel
				assertThat(listeners.serialThreads).hasSize(17);
				assertThat(listeners.parallelThreads).hasSize(19);
				assertThat(factories.serialFailures).hasSize(1);
				assertThat(factories.parallelFailures).hasSize(1);
				assertThat(listeners.defaultThreads).hasSize(1);
			});
			// concurrency 1 against 4 worker threads
			assertThat(Set.copyOf(listeners.serialThreads)).containsExactly("mqtt-serial-0");
			assertThat(Set.copyOf(listeners.parallelThreads)).hasSizeGreaterThan(1)
				.allMatch((name) -> name.matches("mqtt-parallel-[0-3]"));
			// each failure went to its own factory's error handler, after its own retries
			assertThat(factories.serialFailures).containsExactly("factories/serial/fail after 1 attempt(s)");
			assertThat(factories.parallelFailures).containsExactly("factories/parallel/fail after 3 attempt(s)");
			// no containerFactory: the auto-configured default factory
			assertThat(listeners.defaultThreads).containsExactly("mqtt-default-0");
		});
	}

	@Test
	void unknownContainerFactoryShouldFailTheStartupNamingIt() {
		this.contextRunner.withUserConfiguration(TwoFactories.class, UnknownFactoryListener.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.hasMessageContaining("Invalid @MqttListener on MqttListenerContainerFactoryIntegrationTests.UnknownFactoryListener.onMessage")
				.hasMessageContaining("No MqttListenerContainerFactory bean named 'batchFactory'")
				.hasMessageContaining("serialFactory")
				.hasMessageContaining("parallelFactory");
		});
	}

	@Test
	void filteredMessagesShouldBeAcknowledgedAndCounted() {
		this.contextRunner.withUserConfiguration(FilterConfiguration.class).run((context) -> {
			MqttClientManager manager = ListenerContexts.awaitSubscribed(context);
			FilterConfiguration listener = context.getBean(FilterConfiguration.class);
			this.publisher.publish("filter/t", "heartbeat", 1, false);
			this.publisher.publish("filter/t", "temp=21", 1, false);
			this.publisher.publish("filter/t", "heartbeat", 1, false);
			this.publisher.publish("filter/t", "temp=22", 1, false);
			await().untilAsserted(() -> assertThat(listener.received).containsExactly("temp=21", "temp=22"));
			MqttListenerContainer container = ListenerContexts.container(context, "telemetry");
			await().untilAsserted(() -> assertThat(container.getFiltered()).isEqualTo(2));
			assertThat(container.getProcessed()).isEqualTo(2);
			// acknowledged: nothing left in flight for the broker to redeliver
			await().untilAsserted(() -> assertThat(manager.getInFlight().getIncomingQos1()).isZero());
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("mqtt.messages.filtered").tags("client", "default").functionCounter().count())
				.isEqualTo(2);
			MqttEndpoint endpoint = new MqttEndpoint(context.getBean(MqttClientRegistry.class),
					context.getBean(MqttListenerEndpointRegistry.class));
			assertThat(endpoint.clients().clients().get("default").listeners())
				.singleElement()
				.extracting(ListenerDescriptor::filtered)
				.isEqualTo(2L);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoFactories {

		final List<String> serialFailures = new CopyOnWriteArrayList<>();

		final List<String> parallelFailures = new CopyOnWriteArrayList<>();

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		// tag::container-factories[]
		@Bean
		DefaultMqttListenerContainerFactory serialFactory() {
			DefaultMqttListenerContainerFactory factory = new DefaultMqttListenerContainerFactory();
			factory.setConcurrency(1);
			factory.setRetryPolicy(RetryPolicy.withMaxRetries(0));
			factory.setErrorHandler((message, exception, attempts) -> this.serialFailures.add(describe(message, attempts)));
			return factory;
		}

		@Bean
		DefaultMqttListenerContainerFactory parallelFactory() {
			DefaultMqttListenerContainerFactory factory = new DefaultMqttListenerContainerFactory();
			factory.setConcurrency(4);
			factory.setRetryPolicy(RetryPolicy.builder().maxRetries(2).delay(Duration.ofMillis(10)).build());
			factory.setErrorHandler((message, exception, attempts) -> this.parallelFailures.add(describe(message, attempts)));
			return factory;
		}
		// end::container-factories[]

		private static String describe(MqttReceivedMessage message, int attempts) {
			return message.getTopic() + " after " + attempts + " attempt(s)";
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FactoryListeners {

		final List<String> serialThreads = new CopyOnWriteArrayList<>();

		final List<String> parallelThreads = new CopyOnWriteArrayList<>();

		final List<String> defaultThreads = new CopyOnWriteArrayList<>();

		// tag::container-factory-attribute[]
		@MqttListener(id = "serial", topics = "factories/serial/+", containerFactory = "serialFactory")
		void onSerial(String payload) {
			this.serialThreads.add(Thread.currentThread().getName());
			failOn(payload);
		}

		@MqttListener(id = "parallel", topics = "factories/parallel/+", containerFactory = "parallelFactory")
		void onParallel(String payload) {
			this.parallelThreads.add(Thread.currentThread().getName());
			failOn(payload);
		}
		// end::container-factory-attribute[]

		@MqttListener(id = "default", topics = "factories/default/+")
		void onDefault(String payload) {
			this.defaultThreads.add(Thread.currentThread().getName());
		}

		private static void failOn(String payload) {
			if (payload.equals("boom")) {
				throw new IllegalStateException("boom");
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownFactoryListener {

		@MqttListener(topics = "factories/unknown", containerFactory = "batchFactory")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FilterConfiguration {

		final List<String> received = new CopyOnWriteArrayList<>();

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		// tag::message-filter[]
		@Bean
		MqttMessageFilter noHeartbeats() {
			return (message) -> !new String(message.getPayload()).equals("heartbeat");
		}

		@MqttListener(id = "telemetry", topics = "filter/t", filter = "noHeartbeats")
		void onTelemetry(String payload) {
			this.received.add(payload);
		}
		// end::message-filter[]

	}

}
