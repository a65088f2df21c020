package io.mqttboot.annotation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Scope;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * {@link MqttListener} beans created after startup ({@code @Lazy}, registered later) are
 * registered and subscribed when they appear; prototype beans are refused naming the bean.
 */
class MqttListenerLateBeanIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms");

	@Test
	void lazyListenerBeanFetchedAfterStartupShouldBeSubscribedAndReceive() {
		this.contextRunner.withUserConfiguration(LazyListenerConfiguration.class).run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(manager::isConnected);
			assertThat(manager.getSubscriptions()).isEmpty();
			LateListener listener = context.getBean(LateListener.class);
			ListenerContexts.awaitSubscribed(context);
			assertThat(ListenerContexts.container(context, "late").isRunning()).isTrue();
			publish("late/x", "lazy");
			await().untilAsserted(() -> assertThat(listener.received).containsExactly("lazy"));
		});
	}

	@Test
	void listenerBeanRegisteredAfterStartupShouldBeSubscribedAndReceive() {
		this.contextRunner.run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(manager::isConnected);
			context.getSourceApplicationContext(GenericApplicationContext.class)
				.registerBean("lateListener", LateListener.class);
			LateListener listener = context.getBean(LateListener.class);
			ListenerContexts.awaitSubscribed(context);
			publish("late/y", "registered later");
			await().untilAsserted(() -> assertThat(listener.received).containsExactly("registered later"));
		});
	}

	@Test
	void prototypeListenerBeanShouldFailTheStartupNamingTheBean() {
		this.contextRunner.withUserConfiguration(PrototypeListenerConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasMessageContaining(
					"@MqttListener on bean 'prototypeListener' (MqttListenerLateBeanIntegrationTests.LateListener)"
							+ " of scope 'prototype' is not supported");
		});
	}

	@Test
	void prototypeListenerBeanRegisteredAfterStartupShouldFailWhenCreatedNamingTheBean() {
		this.contextRunner.run((context) -> {
			context.getSourceApplicationContext(GenericApplicationContext.class)
				.registerBean("latePrototype", LateListener.class,
						(definition) -> definition.setScope(BeanDefinition.SCOPE_PROTOTYPE));
			assertThatException().isThrownBy(() -> context.getBean("latePrototype"))
				.havingRootCause()
				.withMessageContaining("@MqttListener on bean 'latePrototype'"
						+ " (MqttListenerLateBeanIntegrationTests.LateListener) of scope 'prototype'");
			assertThat(context.getBean(MqttClientManager.class).getSubscriptions()).isEmpty();
		});
	}

	private static void publish(String topic, String payload) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish(topic, payload, 1, false);
		}
	}

	static class LateListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "late", topics = "late/+", qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LazyListenerConfiguration {

		@Bean
		@Lazy
		LateListener lazyListener() {
			return new LateListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrototypeListenerConfiguration {

		@Bean
		@Scope(BeanDefinition.SCOPE_PROTOTYPE)
		LateListener prototypeListener() {
			return new LateListener();
		}

	}

}
