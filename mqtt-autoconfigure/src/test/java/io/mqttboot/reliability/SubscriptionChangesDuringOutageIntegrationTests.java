package io.mqttboot.reliability;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners started and stopped while the connection is down, on a persistent session
 * that the broker resumes: the reconnect must subscribe the started ones and unsubscribe
 * the stopped ones, although CONNACK says the session (and with it the old subscription
 * set) is present.
 */
class SubscriptionChangesDuringOutageIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(OutageListeners.class)
		.withPropertyValues("mqtt.clean-start=false", "mqtt.session-expiry=1h", "mqtt.reconnect.initial-delay=50ms",
				"mqtt.reconnect.max-delay=200ms");

	@Test
	void listenerStartedDuringAnOutageShouldReceiveAfterTheSessionIsResumed() {
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			runner(proxy).run((context) -> {
				MqttClientManager manager = ListenerContexts.awaitSubscribed(context);
				duringOutage(proxy, manager, () -> ListenerContexts.container(context, "late").start());
				assertThat(manager.isSessionPresent()).isTrue();
				ListenerContexts.awaitSubscribed(context);
				publish("outage/late/1", "hello");
				OutageListeners listeners = context.getBean(OutageListeners.class);
				await().untilAsserted(() -> assertThat(listeners.late).containsExactly("hello"));
			});
		}
	}

	@Test
	void listenerStoppedDuringAnOutageShouldBeUnsubscribedAtTheBroker() {
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			runner(proxy).run((context) -> {
				MqttClientManager manager = ListenerContexts.awaitSubscribed(context);
				duringOutage(proxy, manager, () -> {
					ListenerContexts.container(context, "early").stop();
					// The UNSUBSCRIBE goes out right behind this one's SUBSCRIBE: once its SUBACK
					// is in, the peer below still has to connect before it publishes.
					ListenerContexts.container(context, "late").start();
				});
				assertThat(manager.isSessionPresent()).isTrue();
				ListenerContexts.awaitSubscribed(context);
				long receivedBefore = manager.getReceivedCount(1);
				// One publisher: the broker forwards in this order, so once the marker has
				// arrived, a message still routed to the stopped listener would have too.
				publish("outage/early/1", "nobody wants this");
				publish("outage/late/1", "marker");
				OutageListeners listeners = context.getBean(OutageListeners.class);
				await().untilAsserted(() -> assertThat(listeners.late).containsExactly("marker"));
				assertThat(manager.getReceivedCount(1) - receivedBefore)
					.as("messages the broker sent (the stopped listener's filter must be unsubscribed)")
					.isEqualTo(1);
				assertThat(listeners.early).isEmpty();
			});
		}
	}

	private ApplicationContextRunner runner(FaultProxy proxy) {
		return this.contextRunner.withPropertyValues("mqtt.url=" + proxy.getUrl(),
				"mqtt.client-id=outage-" + UUID.randomUUID().toString().substring(0, 8));
	}

	/**
	 * Reset the connection, keep the broker unreachable while {@code change} runs, then let
	 * the client reconnect and wait until it did.
	 */
	static void duringOutage(FaultProxy proxy, MqttClientManager manager, Runnable change) {
		long reconnects = manager.getReconnectCount();
		proxy.rejectNew(true);
		proxy.cutAll();
		await().until(() -> !manager.isConnected());
		change.run();
		proxy.rejectNew(false);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> manager.isConnected() && manager.getReconnectCount() > reconnects);
	}

	private static void publish(String topic, String payload) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish(topic, payload, 1, false);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OutageListeners {

		final List<String> early = new CopyOnWriteArrayList<>();

		final List<String> late = new CopyOnWriteArrayList<>();

		@MqttListener(id = "early", topics = "outage/early/+", qos = 1)
		void onEarly(String payload) {
			this.early.add(payload);
		}

		@MqttListener(id = "late", topics = "outage/late/+", qos = 1, autoStartup = "false")
		void onLate(String payload) {
			this.late.add(payload);
		}

	}

}
