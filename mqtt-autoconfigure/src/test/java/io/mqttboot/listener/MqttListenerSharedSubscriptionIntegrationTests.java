package io.mqttboot.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @MqttListener(group = ...)} in two running applications: a shared subscription
 * splits the messages between them.
 */
class MqttListenerSharedSubscriptionIntegrationTests {

	private static final int MESSAGES = 200;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	@Test
	void sharedSubscriptionShouldSplitMessagesBetweenApplicationsWithoutDuplicates() {
		ApplicationContextRunner runner = this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(JobWorker.class);
		runner.run((first) -> runner.run((second) -> {
			MqttClientManager firstClient = first.getBean(MqttClientManager.class);
			MqttClientManager secondClient = second.getBean(MqttClientManager.class);
			awaitSubscribed(firstClient);
			awaitSubscribed(secondClient);
			assertThat(firstClient.getSubscriptions()).singleElement()
				.satisfies((status) -> assertThat(status.filter()).isEqualTo("$share/workers/jobs/#"));
			try (RawMqttClient publisher = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
				for (int i = 0; i < MESSAGES; i++) {
					publisher.publish("jobs/" + (i % 7), Integer.toString(i), 1, false);
				}
			}
			JobWorker a = first.getBean(JobWorker.class);
			JobWorker b = second.getBean(JobWorker.class);
			await().until(() -> a.processed.size() + b.processed.size() >= MESSAGES
					&& firstClient.getInFlight().getIncomingQos1() == 0
					&& secondClient.getInFlight().getIncomingQos1() == 0);
			List<String> union = new ArrayList<>(a.processed);
			union.addAll(b.processed);
			assertThat(union).doesNotHaveDuplicates()
				.containsExactlyInAnyOrderElementsOf(IntStream.range(0, MESSAGES).mapToObj(Integer::toString).toList());
			assertThat(a.processed).isNotEmpty();
			assertThat(b.processed).isNotEmpty();
		}));
	}

	@Configuration(proxyBeanMethods = false)
	static class JobWorker {

		final List<String> processed = new CopyOnWriteArrayList<>();

		@MqttListener(topics = "jobs/#", group = "workers", qos = 1)
		void onJob(String payload) {
			this.processed.add(payload);
		}

	}

}
