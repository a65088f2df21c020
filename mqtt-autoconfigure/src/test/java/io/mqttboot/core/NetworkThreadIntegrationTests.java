package io.mqttboot.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The futures of a client complete on the thread that reads its connection (the client's
 * application scheduler is a trampoline, see docs/design.md §8b). A blocking call there
 * could only time out, since what it waits for arrives on that same thread, so it is
 * refused at once, and the connection goes on. With listeners on virtual threads the
 * callbacks run on RxJava's computation threads instead, where blocking is refused too.
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
					MqttTemplate template = connectedTemplate(context);
					CallbackOutcome outcome = nestedPublishRefused(template, proxy, "network-thread/");
					assertThat(outcome.thread.get()).startsWith("com.hivemq.client.mqtt");
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
	@EnabledForJreRange(min = JRE.JAVA_21)
	void withListenersOnVirtualThreadsCallbacksShouldRunOnAComputationThreadWhereBlockingIsRefusedToo() {
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			this.contextRunner
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.client-id=network-thread-virtual",
						"mqtt.publish.timeout=3s", "spring.threads.virtual.enabled=true")
				.run((context) -> {
					assertThat(context.getBean(MqttClientManager.class).getSettings().isCallbacksOnNetworkThread())
						.isFalse();
					MqttTemplate template = connectedTemplate(context);
					CallbackOutcome outcome = nestedPublishRefused(template, proxy, "network-thread/virtual-");
					assertThat(outcome.thread.get()).startsWith("RxComputationThreadPool");
					assertThat(outcome.failure.get()).hasMessageContaining("which hands on the client's incoming messages");
				});
		}
	}

	@Test
	void sendAndReceiveInACallbackOfAPublishFutureShouldBeRefused() {
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			this.contextRunner
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.client-id=network-thread-request")
				.run((context) -> {
					MqttTemplate template = connectedTemplate(context);
					CallbackOutcome outcome = callInCallbackOfAPublish(template, proxy, "network-thread/request-first",
							() -> template.sendAndReceive("network-thread/rpc", "ping", Duration.ofSeconds(2)));
					assertThat(outcome.failure.get(10, TimeUnit.SECONDS)).as("on %s", outcome.thread.getNow("?"))
						.isInstanceOf(IllegalStateException.class)
						.hasMessageContaining("sendAndReceive to topic 'network-thread/rpc'");
				});
		}
	}

	private static MqttTemplate connectedTemplate(ApplicationContext context) {
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
		return context.getBean(MqttTemplate.class);
	}

	/**
	 * Publish {@code <prefix>first} and, in a callback of its future, blockingly publish
	 * {@code <prefix>nested}, then check that the nested publish was refused naming the
	 * client, the topic and the callback's thread.
	 */
	private static CallbackOutcome nestedPublishRefused(MqttTemplate template, FaultProxy proxy, String prefix)
			throws Exception {
		String nested = prefix + "nested";
		CallbackOutcome outcome = callInCallbackOfAPublish(template, proxy, prefix + "first",
				() -> template.newMessage("nested").topic(nested).qos(1).publish());
		String thread = outcome.thread.get(10, TimeUnit.SECONDS);
		assertThat(outcome.failure.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("MQTT client 'default'")
			.hasMessageContaining("publish to topic '" + nested + "'")
			.hasMessageContaining("'" + thread + "'");
		return outcome;
	}

	/**
	 * Publish at QoS 1 while the link is frozen, so that no PUBACK can arrive: the callback
	 * is registered before the future completes and runs where the PUBACK is read, once the
	 * link is released. The call's failure (or {@code null}) and the callback's thread are
	 * handed back once the callback ran.
	 */
	private static CallbackOutcome callInCallbackOfAPublish(MqttTemplate template, FaultProxy proxy, String topic,
			Runnable call) throws Exception {
		proxy.freeze();
		CompletableFuture<MqttPublishResult> first = template.newMessage("first").topic(topic).qos(1).publishAsync();
		CallbackOutcome outcome = new CallbackOutcome();
		first.whenComplete((result, ex) -> {
			outcome.thread.complete(Thread.currentThread().getName());
			try {
				call.run();
				outcome.failure.complete(null);
			}
			catch (Throwable failure) {
				outcome.failure.complete(failure);
			}
		});
		proxy.unfreeze();
		// Not first.get() here: a thread waiting on a future may run its callbacks itself
		// once it is complete (CompletableFuture helps), which would run the call here.
		outcome.failure.get(10, TimeUnit.SECONDS);
		assertThat(first.get(10, TimeUnit.SECONDS).qos()).isEqualTo(1);
		return outcome;
	}

	private static final class CallbackOutcome {

		final CompletableFuture<String> thread = new CompletableFuture<>();

		final CompletableFuture<Throwable> failure = new CompletableFuture<>();

	}

}
