package io.mqttboot.annotation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.listener.MqttListenerErrorHandler;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @TopicVariable} parameters that could never be bound fail the startup, naming the
 * listener, the parameter and what is wrong, instead of failing every message; listeners
 * that can be bound still receive.
 */
class TopicVariableStartupValidationIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private static final String PREFIX = "TopicVariableStartupValidationIntegrationTests.";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.listener.retry.initial-interval=10ms");

	@Test
	void topicVariableOfATypeWithoutConverterShouldFailStartupNamingMethodParameterAndType() {
		this.contextRunner.withUserConfiguration(NoConverterListener.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.startsWith("Invalid @MqttListener on " + PREFIX + "NoConverterListener.onReading: ")
				.contains("@TopicVariable parameter 'reading' of type " + Reading.class.getName()
						+ " cannot be bound: no converter turns the text of {reading} into it"));
	}

	@Test
	void topicVariableMissingFromOneOfTheTopicsShouldFailStartupNamingTheVariableAndTheTopic() {
		this.contextRunner.withUserConfiguration(MissingInOneTopicListener.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.startsWith("Invalid @MqttListener on " + PREFIX + "MissingInOneTopicListener.onMessage: ")
				.contains("@TopicVariable parameter 'site' needs {site} in every topic, but topic "
						+ "'plant/all/alarm' has no {site}"));
	}

	@Test
	void topicsDefiningDifferentVariablesShouldFailStartupNamingTheFirstTopicLackingOne() {
		this.contextRunner.withUserConfiguration(DifferentVariablesListener.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.startsWith("Invalid @MqttListener on " + PREFIX + "DifferentVariablesListener.onMessage: ")
				.contains("needs {room} in every topic, but topic 'building/{floor}' has no {room}"));
	}

	@Test
	void variablesInEveryTopicWithConvertibleTypesShouldBindOnEachTopic() {
		this.contextRunner.withUserConfiguration(ValidMultiTopicListener.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ListenerContexts.awaitSubscribed(context);
			try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
				raw.publish("floors/3/site/north/temp", "21", 1, false);
				raw.publish("archive/north/7", "old", 1, false);
			}
			ValidMultiTopicListener listener = context.getBean(ValidMultiTopicListener.class);
			await().untilAsserted(() -> assertThat(listener.received)
				.containsExactlyInAnyOrder("3:SiteId[value=north]:21", "7:SiteId[value=north]:old"));
		});
	}

	@Test
	void levelTextTheTypeRejectsShouldGoToTheErrorHandlerOnceNamingTheVariable() {
		this.contextRunner.withUserConfiguration(ValidMultiTopicListener.class).run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
				raw.publish("archive/north/ground", "bad", 1, false);
				raw.publish("archive/north/0", "good", 1, false);
			}
			ValidMultiTopicListener listener = context.getBean(ValidMultiTopicListener.class);
			await().untilAsserted(() -> assertThat(listener.received).containsExactly("0:SiteId[value=north]:good"));
			// Same worker, in order: the failure was handled before the next message ran.
			assertThat(listener.failures).singleElement()
				.asString()
				.startsWith("1 attempt: ")
				.contains("Topic variable 'floor' value 'ground' cannot be converted to int");
		});
	}

	private static String invalidListenerMessage(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable candidate = context.getStartupFailure();
		while (candidate != null) {
			if (candidate instanceof BeanInitializationException exception
					&& String.valueOf(exception.getMessage()).startsWith("Invalid @MqttListener on ")) {
				return exception.getMessage();
			}
			candidate = (candidate.getCause() != candidate) ? candidate.getCause() : null;
		}
		throw new AssertionError("No 'Invalid @MqttListener' cause in " + context.getStartupFailure());
	}

	record Reading(String room, double celsius) {
	}

	/**
	 * Converted through its static {@code of(String)}.
	 */
	public record SiteId(String value) {

		public static SiteId of(String value) {
			return new SiteId(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NoConverterListener {

		@MqttListener("readings/{reading}")
		void onReading(@TopicVariable Reading reading, String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MissingInOneTopicListener {

		@MqttListener(topics = { "plant/{site}/alarm", "plant/all/alarm" })
		void onMessage(@TopicVariable String site, String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DifferentVariablesListener {

		@MqttListener(topics = { "building/{floor}", "rooms/{room}/{floor}" })
		void onMessage(@TopicVariable int floor, @TopicVariable @Nullable String room, String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ValidMultiTopicListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		final List<String> failures = new CopyOnWriteArrayList<>();

		@Bean
		MqttListenerErrorHandler collectingErrorHandler() {
			return (message, exception, attempts) -> this.failures
				.add(attempts + " attempt" + ((attempts != 1) ? "s" : "") + ": " + describe(exception));
		}

		private static String describe(Throwable exception) {
			StringBuilder description = new StringBuilder();
			for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
				description.append(cause.getMessage()).append(" / ");
			}
			return description.toString();
		}

		@MqttListener(topics = { "floors/{floor}/site/{site}/temp", "archive/{site}/{floor}" }, qos = 1,
				errorHandler = "collectingErrorHandler")
		void onMessage(@TopicVariable int floor, @TopicVariable SiteId site, String payload) {
			this.received.add(floor + ":" + site + ":" + payload);
		}

	}

}
