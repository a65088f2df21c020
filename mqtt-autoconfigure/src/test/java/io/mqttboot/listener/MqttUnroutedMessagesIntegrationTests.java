package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttboot.RawMqttClient;
import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.autoconfigure.metrics.MqttMetricsAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages that no listener wants, against a real broker: those a merged subscription
 * brings are counted, those no subscription of this run explains (a leftover of an
 * earlier run of a persistent session) are counted and logged.
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttUnroutedMessagesIntegrationTests {

	private static final String WARNING = "that matches none of the subscriptions of its listeners";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
				MetricsAutoConfiguration.class, MqttMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	@Test
	void messageThatOnlyTheMergedSubscriptionMatchesShouldBeCountedAndAcknowledgedWithoutWarning(
			CapturedOutput output) {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(OverlappingListeners.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				assertThat(manager.getSubscriptions()).extracting((status) -> status.filter())
					.containsExactly("plant/+/+");
				try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					raw.publish("plant/x/y", "nobody", 1, false);
					raw.publish("plant/b/temp", "wanted", 1, false);
				}
				OverlappingListeners listeners = context.getBean(OverlappingListeners.class);
				await().untilAsserted(() -> assertThat(listeners.received).containsExactly("wanted"));
				await().until(() -> manager.getUnroutedMessages().getCount() == 1);
				assertThat(manager.getUnroutedMessages().getMergedSubscriptionCount()).isOne();
				assertThat(manager.getUnroutedMessages().getNoSubscriptionCount()).isZero();
				assertThat(unroutedMeter(context, "merged-subscription")).isOne();
				assertThat(unroutedMeter(context, "no-subscription")).isZero();
				assertThat(endpoint(context).unrouted()).isEqualTo(new MqttEndpoint.UnroutedDescriptor(1, 1, 0));
				await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
				assertThat(output).doesNotContain(WARNING);
			});
	}

	@Test
	void messageOfASubscriptionLeftByAnEarlierRunShouldBeCountedAndLoggedOnce(CapturedOutput output) {
		String clientId = "unrouted-" + UUID.randomUUID().toString().substring(0, 8);
		leaveSubscriptionInSession(clientId, "legacy/#");
		persistentSession(clientId).withUserConfiguration(OverlappingListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			assertThat(manager.isSessionPresent()).isTrue();
			try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
				raw.publish("legacy/1", "old-1", 1, false);
				raw.publish("legacy/2", "old-2", 1, false);
				raw.publish("legacy/3", "old-3", 0, false);
			}
			await().until(() -> manager.getUnroutedMessages().getNoSubscriptionCount() == 3);
			assertThat(manager.getUnroutedMessages().getMergedSubscriptionCount()).isZero();
			assertThat(unroutedMeter(context, "no-subscription")).isEqualTo(3);
			assertThat(endpoint(context).unrouted()).isEqualTo(new MqttEndpoint.UnroutedDescriptor(3, 0, 3));
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			assertThat(output).containsOnlyOnce(WARNING)
				.contains("MQTT client 'default' received a QoS 1 message on topic 'legacy/1' " + WARNING);
		});
	}

	@Test
	void messageOfALeftoverSubscriptionWithoutAnyListenerShouldBeCountedAndLogged(CapturedOutput output) {
		String clientId = "unrouted-" + UUID.randomUUID().toString().substring(0, 8);
		leaveSubscriptionInSession(clientId, "legacy/#");
		persistentSession(clientId).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(() -> manager.isConnected());
			assertThat(manager.isSessionPresent()).isTrue();
			try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
				raw.publish("legacy/7", "old-7", 2, false);
			}
			await().until(() -> manager.getUnroutedMessages().getNoSubscriptionCount() == 1);
			assertThat(unroutedMeter(context, "no-subscription")).isOne();
			assertThat(output).contains("MQTT client 'default' received a QoS 2 message on topic 'legacy/7' " + WARNING);
			await().until(() -> manager.getInFlight().getIncomingQos2() == 0);
		});
	}

	private ApplicationContextRunner persistentSession(String clientId) {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.client-id=" + clientId,
				"mqtt.clean-start=false", "mqtt.session-expiry=1h");
	}

	/**
	 * Play the earlier run: subscribe with a persistent session and go away.
	 */
	private static void leaveSubscriptionInSession(String clientId, String filter) {
		Mqtt5BlockingClient earlier = MqttClient.builder()
			.useMqttVersion5()
			.identifier(clientId)
			.serverHost(broker.getHost())
			.serverPort(broker.getPort())
			.buildBlocking();
		earlier.connectWith().cleanStart(true).sessionExpiryInterval(TimeUnit.HOURS.toSeconds(1)).send();
		earlier.subscribeWith().topicFilter(filter).qos(MqttQos.EXACTLY_ONCE).send();
		earlier.disconnect();
	}

	private static double unroutedMeter(AssertableApplicationContext context, String reason) {
		return context.getBean(MeterRegistry.class)
			.get("mqtt.messages.unrouted")
			.tags("client", "default", "reason", reason)
			.functionCounter()
			.count();
	}

	private static MqttEndpoint.ClientDescriptor endpoint(AssertableApplicationContext context) {
		MqttEndpoint endpoint = new MqttEndpoint(context.getBean(MqttClientRegistry.class),
				context.getBeanProvider(MqttListenerEndpointRegistry.class).getIfAvailable());
		return endpoint.clients().clients().get("default");
	}

	@Configuration(proxyBeanMethods = false)
	static class OverlappingListeners {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "temperatures", topics = "plant/+/temp", qos = 1)
		void onTemperature(byte[] payload) {
			this.received.add(new String(payload, StandardCharsets.UTF_8));
		}

		@MqttListener(id = "lineA", topics = "plant/a/+", qos = 1)
		void onLineA(byte[] payload) {
			this.received.add(new String(payload, StandardCharsets.UTF_8));
		}

	}

}
