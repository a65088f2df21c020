package io.mqttboot.listener;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.event.MqttListenerEvent;
import io.mqttboot.event.MqttListenerIdleEvent;
import io.mqttboot.event.MqttListenerPausedEvent;
import io.mqttboot.event.MqttListenerResumedEvent;
import io.mqttboot.event.MqttListenerStartedEvent;
import io.mqttboot.event.MqttListenerStoppedEvent;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Pausing and resuming listeners against mosquitto, and the listener events.
 */
class MqttListenerPauseIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms");

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(ints = { 5, 3 })
	void messagesPublishedWhilePausedShouldArriveInOrderAfterResumeAndBeHeldUnacknowledgedMeanwhile(int version) {
		this.contextRunner
			.withPropertyValues("mqtt.version=" + version,
					"mqtt.client-id=pause-" + UUID.randomUUID().toString().substring(0, 8), "mqtt.clean-start=false",
					"mqtt.session-expiry=1h")
			.withUserConfiguration(TelemetryListener.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				TelemetryListener listener = context.getBean(TelemetryListener.class);
				publish("paused/a", "before");
				await().until(() -> listener.received.contains("before"));
				// tag::pause[]
				MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
				registry.pause("telemetry");
				// end::pause[]
				assertThat(registry.isPaused("telemetry")).isTrue();
				List<String> published = IntStream.range(0, 50).mapToObj((i) -> "paused-" + i).toList();
				published.forEach((payload) -> publish("paused/a", payload));
				MqttListenerContainer container = registry.getListenerContainer("telemetry");
				assertThat(container).isNotNull();
				await().until(() -> manager.getInFlight().getIncomingQos1() > 0
						&& container.getQueued() == manager.getInFlight().getIncomingQos1());
				assertThat(listener.received).as("a paused listener takes no messages").containsExactly("before");
				assertThat(manager.getSubscriptions()).as("the subscription stays").isNotEmpty();
				registry.resume("telemetry");
				assertThat(registry.isPaused("telemetry")).isFalse();
				await().until(() -> listener.received.size() == published.size() + 1
						&& manager.getInFlight().getIncomingQos1() == 0);
				assertThat(listener.received).containsExactlyElementsOf(
						IntStream.rangeClosed(-1, 49).mapToObj((i) -> (i < 0) ? "before" : "paused-" + i).toList());
			});
	}

	@Test
	void pausingAnUnknownListenerShouldFailNamingIt() {
		this.contextRunner.withUserConfiguration(TelemetryListener.class).run((context) -> {
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			assertThatIllegalArgumentException().isThrownBy(() -> registry.pause("nope"))
				.withMessageContaining("'nope'")
				.withMessageContaining("telemetry");
		});
	}

	@Test
	void listenerShouldPublishStartedPausedResumedIdleAndStoppedEvents() {
		EventRecorder recorder = new EventRecorder();
		this.contextRunner.withUserConfiguration(IdleListener.class)
			.withBean(EventRecorder.class, () -> recorder)
			.run((context) -> {
				awaitSubscribed(context);
				await().until(() -> recorder.events.stream().anyMatch(MqttListenerIdleEvent.class::isInstance));
				MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
				registry.pause("quiet");
				registry.pause("quiet");
				registry.resume("quiet");
				await().until(() -> recorder.events.stream().anyMatch(MqttListenerResumedEvent.class::isInstance));
			});
		assertThat(recorder.events).allSatisfy((event) -> assertThat(event.getListenerId()).isEqualTo("quiet"));
		List<Class<?>> types = recorder.events.stream()
			.filter((event) -> !(event instanceof MqttListenerIdleEvent))
			.<Class<?>>map(Object::getClass)
			.toList();
		assertThat(types).containsExactly(MqttListenerStartedEvent.class, MqttListenerPausedEvent.class,
				MqttListenerResumedEvent.class, MqttListenerStoppedEvent.class);
		MqttListenerIdleEvent idle = recorder.events.stream()
			.filter(MqttListenerIdleEvent.class::isInstance)
			.map(MqttListenerIdleEvent.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(idle.getIdleTime()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
	}

	private static void publish(String topic, String payload) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish(topic, payload, 1, false);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class TelemetryListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "telemetry", topics = "paused/+", qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class IdleListener {

		// tag::idle[]
		@MqttListener(id = "quiet", topics = "quiet/+", idleEventInterval = "200ms")
		void onMessage(String payload) {
		}
		// end::idle[]

	}

	static class EventRecorder implements ApplicationListener<MqttListenerEvent> {

		final List<MqttListenerEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(MqttListenerEvent event) {
			this.events.add(event);
		}

	}

}
