package io.mqttboot.actuate.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.actuate.endpoint.MqttEndpoint.ClientDescriptor;
import io.mqttboot.actuate.endpoint.MqttEndpoint.ListenerDescriptor;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.autoconfigure.actuate.MqttEndpointAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code mqtt} endpoint against a real broker: in-flight counts in both directions,
 * subscriptions and listeners.
 */
class MqttEndpointIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
				MqttEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=mqtt", "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms", "mqtt.keep-alive=60");

	@Test
	void endpointShouldShowOutgoingQos1AndQos2InFlightWhileTheLinkIsFrozen() throws Exception {
		try (FaultProxy proxy = FaultProxy.to(broker.get());
				RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.subscribe("frozen/#", 2);
			this.contextRunner.withPropertyValues("mqtt.url=" + proxy.getUrl()).run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(manager::isConnected);
				MqttEndpoint endpoint = context.getBean(MqttEndpoint.class);
				MqttTemplate template = context.getBean(MqttTemplate.class);
				proxy.freeze();
				List<CompletableFuture<MqttPublishResult>> futures = new ArrayList<>();
				for (int i = 0; i < 50; i++) {
					futures.add(template.newMessage("q1-" + i).topic("frozen/q1").qos(1).publishAsync());
				}
				for (int i = 0; i < 20; i++) {
					futures.add(template.newMessage("q2-" + i).topic("frozen/q2").qos(2).publishAsync());
				}
				ClientDescriptor frozen = endpoint.clients().clients().get("default");
				assertThat(frozen.state().name()).isEqualTo("CONNECTED");
				assertThat(frozen.inFlight().outgoingQos1()).isEqualTo(50);
				assertThat(frozen.inFlight().outgoingQos2()).isEqualTo(20);
				assertThat(frozen.serverUri()).isEqualTo(proxy.getUrl());
				proxy.unfreeze();
				CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
				ClientDescriptor thawed = endpoint.clients().clients().get("default");
				assertThat(thawed.inFlight().outgoingQos1()).isZero();
				assertThat(thawed.inFlight().outgoingQos2()).isZero();
				await().untilAsserted(() -> assertThat(raw.received()).hasSize(70));
			});
		}
	}

	@Test
	void endpointShouldShowIncomingQos1UntilTheListenerReleasesIt() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(LatchListener.class)
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				MqttEndpoint endpoint = context.getBean(MqttEndpoint.class);
				awaitGranted(manager);
				ClientDescriptor idle = endpoint.clients().clients().get("default");
				assertThat(idle.subscriptions()).singleElement().satisfies((subscription) -> {
					assertThat(subscription.filter()).isEqualTo("latch/+");
					assertThat(subscription.grantedQos()).isEqualTo(1);
					assertThat(subscription.refused()).isFalse();
				});
				context.getBean(MqttTemplate.class).newMessage("x").topic("latch/a").qos(1).publish();
				LatchListener listener = context.getBean(LatchListener.class);
				await().until(() -> listener.entered.getCount() == 0);
				ClientDescriptor busy = endpoint.clients().clients().get("default");
				assertThat(busy.inFlight().incomingQos1()).isEqualTo(1);
				assertThat(busy.listeners()).singleElement().satisfies((descriptor) -> {
					assertThat(descriptor.id()).isEqualTo("latch");
					assertThat(descriptor.topics()).containsExactly("latch/+");
					assertThat(descriptor.running()).isTrue();
					assertThat(descriptor.processed()).isZero();
				});
				listener.release.countDown();
				await().untilAsserted(() -> {
					ClientDescriptor done = endpoint.clients().clients().get("default");
					assertThat(done.inFlight().incomingQos1()).isZero();
					assertThat(done.listeners().get(0).processed()).isEqualTo(1);
				});
				assertThat(endpoint.listener("latch", false, null).running()).isFalse();
				assertThat(endpoint.listener("latch", true, null).running()).isTrue();
				assertThat(endpoint.listener("unknown", true, null)).isNull();
			});
	}

	@Test
	void writeOperationShouldPauseAndResumeAListenerKeepingItsSubscription() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(RecordingListener.class)
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				MqttEndpoint endpoint = context.getBean(MqttEndpoint.class);
				await().until(() -> manager.isConnected() && manager.getSubscriptions().stream()
					.allMatch((status) -> status.grantedQos() != null));
				// tag::endpoint-pause[]
				ListenerDescriptor paused = endpoint.listener("recording", null, true);
				// end::endpoint-pause[]
				assertThat(paused).isNotNull();
				assertThat(paused.paused()).isTrue();
				assertThat(paused.running()).isTrue();
				context.getBean(MqttTemplate.class).newMessage("held").topic("recording/a").qos(1).publish();
				await().until(() -> manager.getInFlight().getIncomingQos1() == 1);
				RecordingListener listener = context.getBean(RecordingListener.class);
				assertThat(listener.received).isEmpty();
				ClientDescriptor client = endpoint.clients().clients().get("default");
				assertThat(client.subscriptions()).singleElement()
					.satisfies((subscription) -> assertThat(subscription.filter()).isEqualTo("recording/+"));
				assertThat(client.listeners()).singleElement().satisfies((descriptor) -> {
					assertThat(descriptor.paused()).isTrue();
					assertThat(descriptor.queued()).isEqualTo(1);
				});
				ListenerDescriptor resumed = endpoint.listener("recording", null, false);
				assertThat(resumed).isNotNull();
				assertThat(resumed.paused()).isFalse();
				await().until(() -> listener.received.contains("held") && manager.getInFlight().getIncomingQos1() == 0);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "recording", topics = "recording/+", qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LatchListener {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@MqttListener(id = "latch", topics = "latch/+", qos = 1)
		void onMessage(String payload) throws InterruptedException {
			this.entered.countDown();
			this.release.await(30, TimeUnit.SECONDS);
		}

	}

}
