package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.RabbitMqBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A QoS 2 publish to RabbitMQ's MQTT plugin (3.10, MQTT 3.1.1 only), which answers it
 * with PUBACK: given up after a few reconnects instead of wedging the client, or sent
 * with QoS 1 when {@code mqtt.publish.max-qos=1}. Skipped when RabbitMQ is not installed.
 */
class RabbitMqQos2IntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static RabbitMqBroker rabbit;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(RecordingListener.class)
		.withPropertyValues("mqtt.version=3", "mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	@BeforeAll
	static void startRabbitMq() {
		assumeTrue(RabbitMqBroker.isInstalled(),
				"RabbitMQ is not installed (apt-get install -y rabbitmq-server); skipping the RabbitMQ MQTT tests");
		rabbit = new RabbitMqBroker();
		rabbit.start();
	}

	@AfterAll
	static void stopRabbitMq() {
		if (rabbit != null) {
			rabbit.close();
		}
	}

	@Test
	void qos2PublishShouldBeGivenUpInsteadOfWedgingTheClient() {
		this.contextRunner.withPropertyValues("mqtt.url=" + rabbit.getUrl()).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			RecordingListener listener = context.getBean(RecordingListener.class);
			awaitGranted(manager, TIMEOUT);

			CompletableFuture<MqttPublishResult> poison = template.newMessage("poison")
				.topic("rabbit/echo")
				.qos(2)
				.publishAsync();
			CompletableFuture<MqttPublishResult> innocent = template.newMessage("innocent")
				.topic("rabbit/echo")
				.qos(1)
				.publishAsync();

			Throwable failure = catchThrowable(() -> poison.get(30, TimeUnit.SECONDS));
			assertThat(failure).isInstanceOf(ExecutionException.class)
				.cause()
				.isInstanceOf(MqttPublishException.class)
				.hasMessageContaining("Gave up publishing to topic 'rabbit/echo' (QoS 2")
				.hasMessageContaining("PUBACK must not be received for a QoS 2 PUBLISH");
			assertThat(innocent.get(30, TimeUnit.SECONDS).qos()).isEqualTo(1);
			template.newMessage("after").topic("rabbit/echo").qos(1).publishAsync().get(30, TimeUnit.SECONDS);
			await().atMost(TIMEOUT).until(() -> listener.received.containsAll(List.of("innocent", "after")));
			assertThat(manager.getPublishGivenUpCount()).isEqualTo(1);
			assertThat(manager.getReconnectCount()).as("connections ended by the message")
				.isEqualTo(MqttPublishGuard.MAX_CONNECTION_CUTS);
			assertThat(manager.isConnected()).isTrue();
		});
	}

	@Test
	void maxQosShouldSendQos2PublishesToRabbitMqWithQos1() {
		this.contextRunner.withPropertyValues("mqtt.url=" + rabbit.getUrl(), "mqtt.publish.max-qos=1")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				MqttTemplate template = context.getBean(MqttTemplate.class);
				RecordingListener listener = context.getBean(RecordingListener.class);
				awaitGranted(manager, TIMEOUT);

				MqttPublishResult result = template.newMessage("exactly-once")
					.topic("rabbit/echo")
					.qos(2)
					.publishAsync()
					.get(30, TimeUnit.SECONDS);

				assertThat(result.qos()).isEqualTo(1);
				await().atMost(TIMEOUT).until(() -> listener.received.contains("exactly-once"));
				assertThat(manager.getReconnectCount()).as("reconnects").isZero();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "rabbit", topics = "rabbit/echo", qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

}
