package io.mqttboot.listener;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a listener that stops with unacknowledged messages says about them: redelivered
 * with a persistent session, lost with a clean one.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenerShutdownLogIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(StuckListener.class)
		.withPropertyValues("mqtt.shutdown-timeout=500ms");

	@Test
	void stopWithACleanSessionShouldSayTheUnacknowledgedMessagesAreLost(CapturedOutput output) {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl()).run(this::leaveThreeUnacknowledged);
		assertThat(output).contains("Listener 'stuck' stopped with 3 messages not acknowledged (2 still queued, 1"
				+ " interrupted or with a failing error handler); MQTT client 'default' uses a clean session, so the"
				+ " broker discards them when the connection closes: these 3 messages are lost")
			.doesNotContain("uses a persistent session");
	}

	@Test
	void stopWithAPersistentSessionShouldSayTheBrokerRedeliversThem(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.url=" + broker.getUrl(),
					"mqtt.client-id=stuck-" + UUID.randomUUID().toString().substring(0, 8), "mqtt.clean-start=false",
					"mqtt.session-expiry=1h")
			.run(this::leaveThreeUnacknowledged);
		assertThat(output).contains("Listener 'stuck' stopped with 3 messages not acknowledged (2 still queued, 1"
				+ " interrupted or with a failing error handler); MQTT client 'default' uses a persistent session, so"
				+ " the broker redelivers the QoS 1/2 ones on its next connection with that session")
			.doesNotContain("messages are lost");
	}

	private void leaveThreeUnacknowledged(ApplicationContext context) throws Exception {
		awaitSubscribed(context);
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			for (int i = 1; i <= 3; i++) {
				raw.publish("jobs/1", "job-" + i, 1, false);
			}
		}
		assertThat(context.getBean(StuckListener.class).entered.await(10, TimeUnit.SECONDS)).isTrue();
		await().until(() -> container(context, "stuck").getQueued() == 2);
	}

	@Configuration(proxyBeanMethods = false)
	static class StuckListener {

		final CountDownLatch entered = new CountDownLatch(1);

		private final CountDownLatch never = new CountDownLatch(1);

		@MqttListener(id = "stuck", topics = "jobs/+", qos = 1)
		void onJob(String payload) throws InterruptedException {
			this.entered.countDown();
			// Held until the container gives up waiting at shutdown and interrupts it.
			this.never.await();
		}

	}

}
