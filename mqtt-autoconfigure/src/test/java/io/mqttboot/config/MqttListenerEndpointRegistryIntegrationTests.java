package io.mqttboot.config;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttSubscriptionStatus;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
 * Stopping, starting and registering listeners at runtime through the
 * {@link MqttListenerEndpointRegistry}, against a real broker.
 */
class MqttListenerEndpointRegistryIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	private RawMqttClient publisher;

	@BeforeEach
	void connectPublisher() {
		this.publisher = RawMqttClient.connect(broker.getHost(), broker.getPort());
	}

	@AfterEach
	void closePublisher() {
		this.publisher.close();
	}

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	@Test
	void stoppedListenerShouldBeUnsubscribedAndReceiveAgainWhenStarted() {
		runner().withUserConfiguration(TwoListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			TwoListeners listeners = context.getBean(TwoListeners.class);
			assertThat(filters(manager)).containsExactlyInAnyOrder("registry/a/+", "registry/b/+");
			MqttListenerContainer a = registry.getListenerContainer("a");
			a.stop();
			assertThat(a.isRunning()).isFalse();
			assertThat(filters(manager)).containsExactly("registry/b/+");
			this.publisher.publish("registry/a/1", "a-while-stopped", 1, false);
			this.publisher.publish("registry/b/1", "b-1", 1, false);
			await().untilAsserted(() -> assertThat(listeners.b).containsExactly("b-1"));
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			assertThat(listeners.a).isEmpty();
			a.start();
			assertThat(a.isRunning()).isTrue();
			awaitSubscribed(context);
			assertThat(filters(manager)).containsExactlyInAnyOrder("registry/a/+", "registry/b/+");
			this.publisher.publish("registry/a/2", "a-after-start", 1, false);
			await().untilAsserted(() -> assertThat(listeners.a).isNotEmpty());
			assertThat(listeners.a).containsExactly("a-after-start");
			assertThat(listeners.b).containsExactly("b-1");
		});
	}

	@Test
	void endpointRegisteredAfterStartupShouldReceiveMessages() {
		runner().withUserConfiguration(TwoListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			List<String> audited = new CopyOnWriteArrayList<>();
			SimpleMqttListenerEndpoint endpoint = new SimpleMqttListenerEndpoint();
			endpoint.setId("audit");
			endpoint.setTopics("registry/audit/#");
			endpoint.setMessageListener((message) -> audited
				.add(message.getTopic() + "=" + new String(message.getPayload(), StandardCharsets.UTF_8)));
			MqttListenerContainer container = registry.registerListenerContainer(endpoint,
					context.getBean(MqttListenerContainerFactory.class), true);
			assertThat(container.isRunning()).isTrue();
			assertThat(registry.getListenerContainerIds()).contains("audit");
			awaitSubscribed(context);
			assertThat(filters(manager)).contains("registry/audit/#");
			this.publisher.publish("registry/audit/login", "alice", 1, false);
			await().untilAsserted(() -> assertThat(audited).containsExactly("registry/audit/login=alice"));
			assertThat(container.getProcessed()).isEqualTo(1);
		});
	}

	@Test
	void endpointUnregisteredAtRuntimeShouldBeUnsubscribedAtTheBroker() {
		runner().withUserConfiguration(TwoListeners.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			TwoListeners listeners = context.getBean(TwoListeners.class);
			List<String> commands = new CopyOnWriteArrayList<>();
			// tag::runtime-registration[]
			SimpleMqttListenerEndpoint endpoint = new SimpleMqttListenerEndpoint();
			endpoint.setId("commands");
			endpoint.setTopics("registry/commands/{deviceId}");
			endpoint.setMessageListener((message) -> commands.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
			registry.registerListenerContainer(endpoint, true);
			// end::runtime-registration[]
			await().untilAsserted(() -> assertThat(filters(manager)).contains("registry/commands/+"));
			awaitSubscribed(context);
			this.publisher.publish("registry/commands/d1", "reboot", 1, false);
			await().untilAsserted(() -> assertThat(commands).containsExactly("reboot"));
			// tag::runtime-unregistration[]
			registry.unregisterListenerContainer("commands");
			// end::runtime-unregistration[]
			assertThat(registry.getListenerContainer("commands")).isNull();
			assertThat(registry.getListenerContainerIds()).containsExactlyInAnyOrder("a", "b");
			await().untilAsserted(() -> assertThat(filters(manager)).containsExactlyInAnyOrder("registry/a/+", "registry/b/+"));
			awaitSubscribed(context);
			long received = manager.getReceivedCount(1);
			// The broker keeps the order of one publisher's messages: once b-1 arrived, the
			// command before it would have arrived too, had the broker still routed it here.
			this.publisher.publish("registry/commands/d1", "after-unregister", 1, false);
			this.publisher.publish("registry/b/1", "b-1", 1, false);
			await().untilAsserted(() -> assertThat(listeners.b).containsExactly("b-1"));
			assertThat(manager.getReceivedCount(1)).isEqualTo(received + 1);
			assertThat(manager.getUnroutedMessages().getCount()).isZero();
			assertThat(commands).containsExactly("reboot");
		});
	}

	@Test
	void unregisteredIdShouldBeRegisterableAgain() {
		runner().withUserConfiguration(TwoListeners.class).run((context) -> {
			awaitSubscribed(context);
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			TwoListeners listeners = context.getBean(TwoListeners.class);
			assertThat(registry.unregisterListenerContainer("a")).isNotNull();
			assertThat(registry.unregisterListenerContainer("a")).isNull();
			List<String> again = new CopyOnWriteArrayList<>();
			SimpleMqttListenerEndpoint endpoint = new SimpleMqttListenerEndpoint();
			endpoint.setId("a");
			endpoint.setTopics("registry/a/+");
			endpoint.setMessageListener((message) -> again.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
			registry.registerListenerContainer(endpoint, true);
			awaitSubscribed(context);
			this.publisher.publish("registry/a/1", "a-again", 1, false);
			await().untilAsserted(() -> assertThat(again).containsExactly("a-again"));
			assertThat(listeners.a).isEmpty();
		});
	}

	@Test
	void listenerWithoutAutoStartupShouldReceiveOnlyAfterItIsStarted() {
		runner().withUserConfiguration(LazyListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
			LazyListener listeners = context.getBean(LazyListener.class);
			MqttListenerContainer lazy = registry.getListenerContainer("lazy");
			assertThat(lazy.isAutoStartup()).isFalse();
			assertThat(lazy.isRunning()).isFalse();
			assertThat(filters(manager)).containsExactly("registry/eager/+");
			this.publisher.publish("registry/lazy/1", "lazy-before-start", 1, false);
			this.publisher.publish("registry/eager/1", "eager-1", 1, false);
			await().untilAsserted(() -> assertThat(listeners.eager).containsExactly("eager-1"));
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			assertThat(listeners.lazy).isEmpty();
			lazy.start();
			awaitSubscribed(context);
			assertThat(filters(manager)).containsExactlyInAnyOrder("registry/lazy/+", "registry/eager/+");
			this.publisher.publish("registry/lazy/2", "lazy-after-start", 1, false);
			await().untilAsserted(() -> assertThat(listeners.lazy).isNotEmpty());
			assertThat(listeners.lazy).containsExactly("lazy-after-start");
		});
	}

	private static List<String> filters(MqttClientManager manager) {
		return manager.getSubscriptions().stream().map(MqttSubscriptionStatus::filter).toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoListeners {

		final List<String> a = new CopyOnWriteArrayList<>();

		final List<String> b = new CopyOnWriteArrayList<>();

		@MqttListener(id = "a", topics = "registry/a/+")
		void onA(String payload) {
			this.a.add(payload);
		}

		@MqttListener(id = "b", topics = "registry/b/+")
		void onB(String payload) {
			this.b.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LazyListener {

		final List<String> lazy = new CopyOnWriteArrayList<>();

		final List<String> eager = new CopyOnWriteArrayList<>();

		@MqttListener(id = "lazy", topics = "registry/lazy/+", autoStartup = "false")
		void onLazy(String payload) {
			this.lazy.add(payload);
		}

		@MqttListener(id = "eager", topics = "registry/eager/+")
		void onEager(String payload) {
			this.eager.add(payload);
		}

	}

}
