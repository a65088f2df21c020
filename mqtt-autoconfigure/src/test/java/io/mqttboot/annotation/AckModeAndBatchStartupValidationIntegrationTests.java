package io.mqttboot.annotation;

import java.util.List;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.listener.MqttAckMode;
import io.mqttboot.listener.MqttAcknowledgment;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acknowledgement mode and batch attributes that cannot work fail the startup, naming the
 * listener and what is wrong.
 */
class AckModeAndBatchStartupValidationIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private static final String PREFIX = "AckModeAndBatchStartupValidationIntegrationTests.";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl());

	@Test
	void manualAckModeWithoutAnAcknowledgmentParameterShouldFailStartup() {
		this.contextRunner.withUserConfiguration(ManualWithoutAcknowledgment.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.startsWith("Invalid @MqttListener on " + PREFIX + "ManualWithoutAcknowledgment.onMessage: ")
				.contains("ackMode MANUAL needs a MqttAcknowledgment parameter"));
	}

	@Test
	void batchMethodWithoutAListParameterShouldFailStartup() {
		this.contextRunner.withUserConfiguration(BatchWithoutList.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.startsWith("Invalid @MqttListener on " + PREFIX + "BatchWithoutList.onMessage: ")
				.contains("a batch listener method must have exactly one parameter, a List<T>"));
	}

	@Test
	void batchWithManualAcknowledgmentShouldFailStartup() {
		this.contextRunner.withUserConfiguration(ManualBatch.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.startsWith("Invalid @MqttListener on " + PREFIX + "ManualBatch.onMessages: ")
				.contains("not supported with batch = true"));
	}

	@Test
	void batchSizeWithoutBatchShouldFailStartup() {
		this.contextRunner.withUserConfiguration(SizeWithoutBatch.class)
			.run((context) -> assertThat(invalidListenerMessage(context))
				.contains("batchMaxSize and batchMaxWait need batch = true"));
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

	@Configuration(proxyBeanMethods = false)
	static class ManualWithoutAcknowledgment {

		@MqttListener(topics = "v/+", ackMode = MqttAckMode.MANUAL)
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BatchWithoutList {

		@MqttListener(topics = "v/+", batch = true)
		void onMessage(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ManualBatch {

		@MqttListener(topics = "v/+", batch = true)
		void onMessages(List<String> payloads, MqttAcknowledgment acknowledgment) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SizeWithoutBatch {

		@MqttListener(topics = "v/+", batchMaxSize = "10")
		void onMessage(String payload) {
		}

	}

}
