package io.mqttboot.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The futures of a client complete on the thread that reads its connection (the client's
 * application scheduler is a trampoline, see docs/design.md §8b). A blocking call there
 * could only time out, since what it waits for arrives on that same thread, so it is
 * refused at once, and the connection goes on.
 */
class NetworkThreadIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class));

	@Test
	void blockingPublishInACallbackOfAPublishFutureShouldBeRefusedNamingTheThreadAndTheClientShouldGoOn() {
		RawMqttClient raw = RawMqttClient.connect(broker.get().getHost(), broker.get().getPort());
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			raw.subscribe("network-thread/#", 1);
			this.contextRunner
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.client-id=network-thread-test",
						"mqtt.publish.timeout=3s")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
					MqttTemplate template = context.getBean(MqttTemplate.class);
					// While the link is frozen no PUBACK can arrive, so the callback is
					// registered before the future completes and runs where the PUBACK is read.
					proxy.freeze();
					CompletableFuture<MqttPublishResult> first = template.newMessage("first")
						.topic("network-thread/first")
						.qos(1)
						.publishAsync();
					CompletableFuture<String> callbackThread = new CompletableFuture<>();
					CompletableFuture<Throwable> blockingPublish = new CompletableFuture<>();
					first.whenComplete((result, ex) -> {
						callbackThread.complete(Thread.currentThread().getName());
						try {
							template.newMessage("nested").topic("network-thread/nested").qos(1).publish();
							blockingPublish.complete(null);
						}
						catch (Throwable failure) {
							blockingPublish.complete(failure);
						}
					});
					proxy.unfreeze();
					assertThat(first.get(10, TimeUnit.SECONDS).qos()).isEqualTo(1);
					String thread = callbackThread.get(10, TimeUnit.SECONDS);
					assertThat(thread).startsWith("com.hivemq.client.mqtt");
					assertThat(blockingPublish.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
						.hasMessageContaining("MQTT client 'default'")
						.hasMessageContaining("publish to topic 'network-thread/nested'")
						.hasMessageContaining("'" + thread + "'");
					// Nothing was sent for the refused call, and the client goes on.
					template.newMessage("after").topic("network-thread/after").qos(1).publish();
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(raw.received()).extracting(RawMqttClient.Received::topic)
							.containsExactly("network-thread/first", "network-thread/after"));
				});
		}
		finally {
			raw.close();
		}
	}

	@Test
	void sendAndReceiveInACallbackOfAPublishFutureShouldBeRefused() {
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			this.contextRunner
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.client-id=network-thread-request")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
					MqttTemplate template = context.getBean(MqttTemplate.class);
					proxy.freeze();
					CompletableFuture<MqttPublishResult> first = template.newMessage("first")
						.topic("network-thread/request-first")
						.qos(1)
						.publishAsync();
					CompletableFuture<Throwable> request = new CompletableFuture<>();
					first.whenComplete((result, ex) -> {
						try {
							template.sendAndReceive("network-thread/rpc", "ping", Duration.ofSeconds(2));
							request.complete(null);
						}
						catch (Throwable failure) {
							request.complete(failure);
						}
					});
					proxy.unfreeze();
					assertThat(request.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
						.hasMessageContaining("sendAndReceive to topic 'network-thread/rpc'");
				});
		}
	}

}
