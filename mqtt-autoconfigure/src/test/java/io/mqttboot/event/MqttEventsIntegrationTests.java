package io.mqttboot.event;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.health.MqttHealthIndicator;
import io.mqttboot.test.MosquittoBroker;
import io.mqttboot.test.MqttTestBroker;
import io.mqttboot.test.MqttTestBrokerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscription and delivery events against mosquitto, including a subscription the
 * broker refuses (its dynamic security plugin denies the filter; plain ACL files never
 * refuse a SUBSCRIBE on mosquitto 2.0).
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttEventsIntegrationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(EventsConfiguration.class, Listeners.class);

	@Test
	void refusedSubscriptionShouldBeAnEventAHealthDetailAndALogLineWhileOtherListenersReceive(@TempDir Path dir,
			CapturedOutput output) throws Exception {
		assumeThat(MosquittoBroker.isAvailable()).as("mosquitto installed").isTrue();
		List<String> denyConfig = MosquittoBroker.denySubscriptions(dir, "denied/#").orElse(null);
		assumeThat(denyConfig).as("mosquitto dynamic security plugin").isNotNull();
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.extraConfig(denyConfig.toArray(String[]::new))
			.build();
		try (MqttTestBroker broker = new MosquittoBroker(options)) {
			broker.start();
			this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.publish.delivery-events=true")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					List<MqttClientEvent> events = context.getBean(EventsConfiguration.class).events;
					await().untilAsserted(() -> assertThat(events)
						.anySatisfy((event) -> assertThat(event).isInstanceOf(MqttSubscriptionRefusedEvent.class)));
					MqttSubscriptionRefusedEvent refused = events.stream()
						.filter(MqttSubscriptionRefusedEvent.class::isInstance)
						.map(MqttSubscriptionRefusedEvent.class::cast)
						.findFirst()
						.orElseThrow();
					assertThat(refused.getFilter()).isEqualTo("denied/x");
					assertThat(refused.getReasonCode()).isEqualTo(0x87);
					await().untilAsserted(() -> assertThat(events).anySatisfy((event) -> assertThat(event)
						.isInstanceOfSatisfying(MqttSubscribedEvent.class,
								(subscribed) -> assertThat(subscribed.getFilters()).containsExactly("allowed/x"))));
					MqttTemplate template = context.getBean(MqttTemplate.class);
					template.newMessage("ok").topic("allowed/x").qos(1).publish();
					Listeners listeners = context.getBean(Listeners.class);
					await().untilAsserted(() -> assertThat(listeners.allowed).containsExactly("ok"));
					await().untilAsserted(() -> assertThat(events).anySatisfy((event) -> assertThat(event)
						.isInstanceOfSatisfying(MqttMessageDeliveredEvent.class, (delivered) -> {
							assertThat(delivered.getTopic()).isEqualTo("allowed/x");
							assertThat(delivered.getQos()).isEqualTo(1);
						})));
					MqttHealthIndicator health = new MqttHealthIndicator(manager);
					assertThat(health.health().getStatus()).isEqualTo(Status.UP);
					assertThat(health.health().getDetails().get("refusedSubscriptions").toString())
						.contains("denied/x");
					assertThat(manager.isConnected()).isTrue();
				});
			assertThat(output).contains("refused the subscription to topic filter 'denied/x'");
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class EventsConfiguration {

		final List<MqttClientEvent> events = new CopyOnWriteArrayList<>();

		@Bean
		ApplicationListener<MqttClientEvent> collector() {
			return this.events::add;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Listeners {

		final List<String> allowed = new CopyOnWriteArrayList<>();

		@MqttListener(topics = "denied/x", qos = 1)
		void denied(String payload) {
		}

		@MqttListener(topics = "allowed/x", qos = 1)
		void allowed(String payload) {
			this.allowed.add(payload);
		}

	}

}
