package io.mqttboot.listener;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.test.MoquetteBroker;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code mqtt.receive-maximum} bounds what a slow MQTT 5 listener holds: the starter
 * acknowledges after processing, and a broker that keeps to the client's receive maximum
 * (Moquette does; mosquitto 2.0.11 does not, see docs/performance.md, B7) stops sending at
 * that many unacknowledged messages. The default is not sent, so that the broker's own
 * window applies (covered with mosquitto by
 * {@code ConcurrentMqttListenerContainerIntegrationTests}).
 */
class ReceiveMaximumIntegrationTests {

	private static final int RECEIVE_MAXIMUM = 25;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	@Test
	void slowListenerShouldNeverHoldMoreThanTheReceiveMaximum() throws Exception {
		int messages = 500;
		try (MqttTestBroker moquette = new MoquetteBroker()) {
			moquette.start();
			this.contextRunner
				.withPropertyValues("mqtt.url=" + moquette.getUrl(), "mqtt.receive-maximum=" + RECEIVE_MAXIMUM)
				.withUserConfiguration(ConcurrentMqttListenerContainerIntegrationTests.SlowListener.class)
				.run((context) -> {
					MqttClientManager manager = awaitSubscribed(context);
					assertThat(manager.getSettings().getReceiveMaximum()).isEqualTo(RECEIVE_MAXIMUM);
					ConcurrentMqttListenerContainerIntegrationTests.SlowListener listener = context
						.getBean(ConcurrentMqttListenerContainerIntegrationTests.SlowListener.class);
					MqttListenerContainer container = context.getBean(MqttListenerEndpointRegistry.class)
						.getListenerContainer("slow");
					List<String> sent = IntStream.range(0, messages)
						.mapToObj((i) -> "slow/" + (i % 5) + ":" + i)
						.toList();
					try (ConcurrentMqttListenerContainerIntegrationTests.AsyncPublisher publisher = new ConcurrentMqttListenerContainerIntegrationTests.AsyncPublisher(
							moquette)) {
						List<CompletableFuture<?>> published = publisher.publish(sent, 1);
						// Nothing acknowledged yet: one message in the listener, the rest of the
						// window queued, and the broker holds back everything else.
						await().untilAsserted(() -> assertThat(container.getQueued()).isEqualTo(RECEIVE_MAXIMUM - 1));
						int released = 0;
						while (released < messages) {
							listener.gate.release(50);
							released += 50;
							int target = released;
							await().until(() -> listener.processed.size() >= target);
							assertThat(manager.getInFlight().getIncomingQos1()).isLessThanOrEqualTo(RECEIVE_MAXIMUM);
						}
						CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
					}
					await().until(() -> container.getProcessed() == messages);
					assertThat(listener.processed).hasSize(messages).doesNotHaveDuplicates();
					assertThat(container.getMaxQueued()).isLessThanOrEqualTo(RECEIVE_MAXIMUM);
					assertThat(manager.getReconnectCount()).isZero();
				});
		}
	}

	@Test
	void receiveMaximumOutsideItsRangeShouldFailStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("mqtt.url=tcp://127.0.0.1:1", "mqtt.receive-maximum=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("receive maximum must be between 1 and 65535 but was 0"));
	}

	@Test
	void receiveMaximumShouldDefaultToTheProtocolMaximumSoThatTheBrokerWindowApplies() {
		this.contextRunner.withPropertyValues("mqtt.url=tcp://127.0.0.1:1")
			.run((context) -> assertThat(context.getBean(MqttClientManager.class).getSettings().getReceiveMaximum())
				.isEqualTo(65_535));
	}

}
