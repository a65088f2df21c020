package io.mqttboot.annotation;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.test.MqttBrokerExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Startup validation of {@link MqttListener} methods by
 * {@link MqttListenerAnnotationBeanPostProcessor}: mistakes fail the context with a message
 * naming the method and the rule; placeholders resolve from the environment.
 */
class MqttListenerAnnotationBeanPostProcessorIntegrationTests {

	private static final String PREFIX = "MqttListenerAnnotationBeanPostProcessorIntegrationTests.";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	static Stream<Arguments> invalidListeners() {
		return Stream.of(
				invalid("HashNotLast.onMessage",
						"Invalid topic template 'a/#/b': '#' must be the last level [MQTT-4.7.1-2]", HashNotLast.class),
				invalid("PlusInsideLevel.onMessage",
						"Invalid topic template 'sport+': '+' must occupy an entire level [MQTT-4.7.1-3]",
						PlusInsideLevel.class),
				invalid("UnboundTopicVariable.onTemp", "topic variable {deviceId} has no matching parameter",
						UnboundTopicVariable.class),
				invalid("UnknownTopicVariable.onTemp", "@TopicVariable parameter 'room' matches no {variable}",
						UnknownTopicVariable.class),
				invalid("TwoPayloads.onMessage", "parameters [first, second] cannot all receive the payload",
						TwoPayloads.class),
				invalid("QosThree.onMessage", "qos must be 0, 1 or 2 but was 3", QosThree.class),
				invalid("UnknownClient.onMessage",
						"refers to MQTT client 'nope', but the configured clients are [default]", UnknownClient.class),
				invalid("ZeroConcurrency.onMessage", "concurrency must be a number but was 'zero'",
						ZeroConcurrency.class),
				invalid("SecondWithSameId.onMessage", "Another listener is already registered with id 'twice'",
						FirstWithId.class, SecondWithSameId.class));
	}

	private static Arguments invalid(String method, String rule, Class<?>... configurations) {
		return arguments(method, rule, configurations);
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("invalidListeners")
	void invalidListenerShouldFailStartupNamingTheMethodAndTheRule(String method, String rule,
			Class<?>[] configurations) {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(configurations)
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				BeanInitializationException invalid = findInvalidListenerException(failure);
				assertThat(invalid).as("cause naming the listener in %s", failure).isNotNull();
				assertThat(invalid.getMessage()).startsWith("Invalid @MqttListener on " + PREFIX + method + ": ")
					.contains(rule);
			});
	}

	@Test
	void placeholdersShouldResolveFromTheEnvironment() {
		this.contextRunner
			.withPropertyValues("mqtt.url=" + broker.getUrl(), "app.alarms.root=plant", "app.alarms.id=alarms",
					"app.alarms.concurrency=3")
			.withUserConfiguration(PlaceholderListener.class)
			.run((context) -> {
				MqttListenerContainer container = context.getBean(MqttListenerEndpointRegistry.class)
					.getListenerContainer("alarms");
				assertThat(container).isNotNull();
				assertThat(container.getSubscriptions()).containsExactly(MqttSubscription.of("plant/+/alarm", 1));
				awaitSubscribed(context);
				try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					raw.publish("plant/berlin/alarm", "fire", 1, false);
				}
				PlaceholderListener listener = context.getBean(PlaceholderListener.class);
				await().untilAsserted(() -> assertThat(listener.received).containsExactly("berlin:fire"));
				// Concurrency 3: messages go to three workers, chosen by topic name.
				try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					for (int i = 0; i < 30; i++) {
						raw.publish("plant/site-" + i + "/alarm", "fire", 1, false);
					}
				}
				await().untilAsserted(() -> assertThat(listener.received).hasSize(31));
				assertThat(listener.threads).containsExactlyInAnyOrder("mqtt-alarms-0", "mqtt-alarms-1",
						"mqtt-alarms-2");
			});
	}

	private static @Nullable BeanInitializationException findInvalidListenerException(Throwable failure) {
		Throwable candidate = failure;
		while (candidate != null) {
			if (candidate instanceof BeanInitializationException exception
					&& String.valueOf(exception.getMessage()).startsWith("Invalid @MqttListener on ")) {
				return exception;
			}
			candidate = (candidate.getCause() != candidate) ? candidate.getCause() : null;
		}
		return null;
	}

	@Configuration(proxyBeanMethods = false)
	static class HashNotLast {

		@MqttListener("a/#/b")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlusInsideLevel {

		@MqttListener("sport+")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnboundTopicVariable {

		@MqttListener("sensors/{deviceId}/temp")
		void onTemp(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownTopicVariable {

		@MqttListener("sensors/{deviceId}/temp")
		void onTemp(String payload, @TopicVariable String deviceId, @TopicVariable String room) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPayloads {

		@MqttListener("two/payloads")
		void onMessage(String first, byte[] second) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class QosThree {

		@MqttListener(topics = "qos/three", qos = 3)
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownClient {

		@MqttListener(topics = "unknown/client", client = "nope")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ZeroConcurrency {

		@MqttListener(topics = "zero/concurrency", concurrency = "zero")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FirstWithId {

		@MqttListener(id = "twice", topics = "first")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondWithSameId {

		@MqttListener(id = "twice", topics = "second")
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		@MqttListener(id = "${app.alarms.id}", topics = "${app.alarms.root}/{site}/alarm",
				concurrency = "${app.alarms.concurrency}")
		void onAlarm(String payload, @TopicVariable String site) {
			this.threads.add(Thread.currentThread().getName());
			this.received.add(site + ":" + payload);
		}

	}

}
