package io.mqttboot.core;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.event.MqttClientEvent;
import io.mqttboot.event.MqttConnectedEvent;
import io.mqttboot.event.MqttConnectionLostEvent;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Connection management of {@link MqttClientManager} against a real broker: Will, outage,
 * restart, reconnect, outbox, fail-fast and events.
 */
class MqttClientManagerIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void closeAndRestoreBroker() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		if (!broker.get().isRunning()) {
			broker.get().start();
		}
	}

	private RawMqttClient rawClient() {
		RawMqttClient raw = RawMqttClient.connect(broker.get().getHost(), broker.get().getPort());
		this.closeables.add(raw);
		return raw;
	}

	private FaultProxy proxy() {
		FaultProxy proxy = new FaultProxy(broker.get().getHost(), broker.get().getPort());
		this.closeables.add(proxy);
		return proxy;
	}

	@ParameterizedTest(name = "MQTT version {0}")
	@ValueSource(ints = { 5, 3 })
	void willShouldBeDeliveredWhenConnectionDiesWithoutDisconnect(int version) {
		RawMqttClient raw = rawClient().subscribe("status/#", 1);
		FaultProxy proxy = proxy();
		this.contextRunner
			.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.version=" + version, "mqtt.will.topic=status/app",
					"mqtt.will.payload=offline", "mqtt.will.qos=1")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(manager::isConnected);
				proxy.cutAll();
				await().untilAsserted(() -> assertThat(raw.payloads()).contains("offline"));
			});
	}

	@Test
	void willShouldNotBeDeliveredOnNormalShutdown() {
		RawMqttClient raw = rawClient().subscribe("status/#", 1);
		this.contextRunner
			.withPropertyValues("mqtt.url=" + broker.get().getUrl(), "mqtt.will.topic=status/app",
					"mqtt.will.payload=offline", "mqtt.will.qos=1")
			.run((context) -> await().until(context.getBean(MqttClientManager.class)::isConnected));
		raw.publish("status/marker", "marker", 1, false);
		// Anything the broker sent on the close would precede the marker on this connection.
		await().untilAsserted(() -> assertThat(raw.payloads()).containsExactly("marker"));
	}

	@Test
	void contextShouldStartWhileBrokerIsDownAndConnectWhenItComesUp() {
		broker.get().stop();
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.get().getUrl()).run((context) -> {
			assertThat(context).hasNotFailed();
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(() -> manager.getState() == MqttConnectionState.RECONNECTING);
			CompletableFuture<MqttPublishResult> queued = context.getBean(MqttTemplate.class)
				.publishAsync("outage/early", "queued before the broker was up");
			assertThat(manager.getOutboxSize()).isEqualTo(1);
			broker.get().start();
			await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
			assertThat(queued.get().topic()).isEqualTo("outage/early");
			assertThat(manager.getOutboxSize()).isZero();
		});
	}

	@Test
	void brokerRestartShouldLoseNoQos1MessagePublishedDuringTheOutage() {
		FaultProxy proxy = proxy();
		this.contextRunner.withPropertyValues("mqtt.url=" + proxy.getUrl()).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			await().until(manager::isConnected);
			template.newMessage("before").topic("restart/x").qos(1).publish();
			// Keep the application away until the independent subscriber is back.
			proxy.rejectNew(true);
			broker.get().stop();
			await().until(() -> !manager.isConnected());
			List<CompletableFuture<MqttPublishResult>> futures = new ArrayList<>();
			for (int i = 0; i < 500; i++) {
				futures.add(template.newMessage("m" + i).topic("restart/x").qos(1).publishAsync());
			}
			assertThat(manager.getOutboxSize()).isEqualTo(500);
			broker.get().start();
			RawMqttClient raw = rawClient().subscribe("restart/#", 1);
			proxy.rejectNew(false);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(raw.received()).hasSize(500));
			List<String> expected = new ArrayList<>();
			for (int i = 0; i < 500; i++) {
				expected.add("m" + i);
			}
			assertThat(raw.payloads()).containsExactlyElementsOf(expected);
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
			assertThat(manager.getInFlight().getOutgoingQos1()).isZero();
		});
	}

	@Test
	void publishWhenOutboxIsFullShouldFailTheFuture() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		this.contextRunner.withPropertyValues("mqtt.url=tcp://127.0.0.1:" + closedPort, "mqtt.outbox.capacity=3")
			.run((context) -> {
				MqttTemplate template = context.getBean(MqttTemplate.class);
				List<CompletableFuture<MqttPublishResult>> accepted = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					accepted.add(template.publishAsync("outbox/" + i, "x"));
				}
				CompletableFuture<MqttPublishResult> rejected = template.publishAsync("outbox/full", "x");
				assertThat(rejected).failsWithin(Duration.ZERO)
					.withThrowableOfType(java.util.concurrent.ExecutionException.class)
					.havingCause()
					.isInstanceOf(MqttOutboxFullException.class)
					.withMessageContaining("outbox/full")
					.withMessageContaining("mqtt.outbox.capacity");
				assertThat(accepted).allSatisfy((future) -> assertThat(future).isNotDone());
				assertThat(template.getClientManager().getOutboxSize()).isEqualTo(3);
				assertThatExceptionOfType(MqttOutboxFullException.class)
					.isThrownBy(() -> template.publish("outbox/blocking", "x"));
			});
	}

	@Test
	void startWhenFailFastAndBrokerIsDownShouldFailWithClearMessage() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		this.contextRunner
			.withPropertyValues("mqtt.url=tcp://127.0.0.1:" + closedPort, "mqtt.fail-fast=true",
					"mqtt.connect-timeout=2s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("Connection refused"));
		this.contextRunner
			.withPropertyValues("mqtt.url=tcp://127.0.0.1:" + closedPort, "mqtt.fail-fast=true",
					"mqtt.connect-timeout=2s")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("could not connect to tcp://127.0.0.1:" + closedPort)
				.hasStackTraceContaining("mqtt.fail-fast"));
	}

	@Test
	void connectionEventsShouldBePublished() {
		FaultProxy proxy = proxy();
		this.contextRunner.withUserConfiguration(EventsConfiguration.class)
			.withPropertyValues("mqtt.url=" + proxy.getUrl())
			.run((context) -> {
				List<MqttClientEvent> events = context.getBean(EventsConfiguration.class).events;
				await().until(() -> events.stream().anyMatch(MqttConnectedEvent.class::isInstance));
				proxy.cutAll();
				await().untilAsserted(() -> assertThat(events).hasAtLeastOneElementOfType(MqttConnectionLostEvent.class));
				await().until(() -> events.stream()
					.filter(MqttConnectedEvent.class::isInstance)
					.map(MqttConnectedEvent.class::cast)
					.anyMatch(MqttConnectedEvent::isReconnect));
				MqttConnectionLostEvent lost = events.stream()
					.filter(MqttConnectionLostEvent.class::isInstance)
					.map(MqttConnectionLostEvent.class::cast)
					.findFirst()
					.orElseThrow();
				assertThat(lost.getCause()).isNotNull();
				assertThat(lost.getClientName()).isEqualTo("default");
			});
	}

	@Test
	void namedClientsShouldEachHaveTheirOwnConnection() {
		RawMqttClient raw = rawClient().subscribe("named/#", 1);
		this.contextRunner
			.withPropertyValues("spring.application.name=orders", "mqtt.url=" + broker.get().getUrl(),
					"mqtt.clients.telemetry.url=" + broker.get().getUrl())
			.run((context) -> {
				MqttClientRegistry registry = context.getBean(MqttClientRegistry.class);
				assertThat(registry.getClientNames()).containsExactly("default", "telemetry");
				MqttTemplate telemetry = registry.getTemplate("telemetry");
				assertThat(telemetry.getClientManager().getClientId()).startsWith("orders-telemetry-");
				assertThat(registry.getTemplate("default")).isSameAs(context.getBean(MqttTemplate.class));
				assertThat(telemetry.getClientManager().getClientId())
					.isNotEqualTo(context.getBean(MqttClientManager.class).getClientId());
				telemetry.publish("named/telemetry", "t");
				context.getBean(MqttTemplate.class).publish("named/default", "d");
				await().untilAsserted(() -> assertThat(raw.payloads()).containsExactlyInAnyOrder("t", "d"));
			});
	}

	@Test
	void twoApplicationsWithTheSameClientIdShouldBeReportedNotSilentlyFlap() {
		ApplicationContextRunner sameId = this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl(),
				"mqtt.client-id=shared-id");
		sameId.run((first) -> sameId.run((second) -> {
			MqttClientManager a = first.getBean(MqttClientManager.class);
			MqttClientManager b = second.getBean(MqttClientManager.class);
			// mosquitto 2.0 closes the older connection without DISCONNECT 0x8E: the take-over is
			// recognised by connections that keep dying right after being accepted.
			await().until(() -> a.getSessionTakeOverCount() + b.getSessionTakeOverCount() >= 1);
			MqttClientManager kicked = (a.getSessionTakeOverCount() > 0) ? a : b;
			assertThat(new io.mqttboot.health.MqttHealthIndicator(kicked).health().getDetails())
				.containsKey("sessionTakeOvers")
				.hasEntrySatisfying("sessionTakeOverWarning",
						(warning) -> assertThat(warning.toString()).contains("'shared-id'"));
		}));
	}

	@Configuration(proxyBeanMethods = false)
	static class EventsConfiguration {

		final List<MqttClientEvent> events = new CopyOnWriteArrayList<>();

		@Bean
		ApplicationListener<MqttClientEvent> mqttEventCollector() {
			return this.events::add;
		}

	}

}
