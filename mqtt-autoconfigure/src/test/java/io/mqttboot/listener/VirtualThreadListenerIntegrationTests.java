package io.mqttboot.listener;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.mqttboot.ListenerContexts;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listener workers on virtual threads when {@code spring.threads.virtual.enabled=true}
 * (Java 21 or later), with per-topic order kept; on older Java the setting is ignored with
 * a warning. Per-topic lanes keep the order on platform threads too. Run on Java 21+ with
 * {@code JAVA_HOME} pointing at that JDK for the virtual-thread test.
 */
@ExtendWith(OutputCaptureExtension.class)
class VirtualThreadListenerIntegrationTests {

	private static final int TOPICS = 20;

	private static final int MESSAGES_PER_TOPIC = 25;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(OrderListener.class)
		.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms", "spring.threads.virtual.enabled=true");

	private RawMqttClient publisher;

	@BeforeEach
	void connectPublisher() {
		this.publisher = RawMqttClient.connect(broker.getHost(), broker.getPort());
	}

	@AfterEach
	void closePublisher() {
		this.publisher.close();
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void listenerShouldRunOnVirtualThreadsAndKeepTheOrderOfEachTopic(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			OrderListener listener = context.getBean(OrderListener.class);
			publishInterleaved();
			await().until(() -> listener.received() == TOPICS * MESSAGES_PER_TOPIC);
			assertThat(listener.threads).allMatch(VirtualThreadListenerIntegrationTests::isVirtual, "is virtual");
			assertThat(listener.threadNames).allMatch((name) -> name.startsWith("mqtt-ordered-"));
			assertOrderPerTopic(listener);
			assertThat(output).doesNotContain("ignored");
		});
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void virtualThreadsSettingShouldBeIgnoredWithAWarningBeforeJava21(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			OrderListener listener = context.getBean(OrderListener.class);
			publishInterleaved();
			await().until(() -> listener.received() == TOPICS * MESSAGES_PER_TOPIC);
			assertThat(output).contains("spring.threads.virtual.enabled=true is ignored for MQTT listeners: virtual"
					+ " threads need Java 21 or later and this is Java " + Runtime.version().feature());
			assertThat(listener.threadNames).allMatch((name) -> name.matches("mqtt-ordered-[0-3]"));
			assertOrderPerTopic(listener);
		});
	}

	@Test
	void perTopicLanesOnPlatformThreadsShouldKeepTheOrderOfEachTopic(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=false", "mqtt.listener.per-topic-lanes=true")
			.run((context) -> {
				ListenerContexts.awaitSubscribed(context);
				OrderListener listener = context.getBean(OrderListener.class);
				publishInterleaved();
				await().until(() -> listener.received() == TOPICS * MESSAGES_PER_TOPIC);
				assertThat(listener.threads).noneMatch(VirtualThreadListenerIntegrationTests::isVirtual);
				// four workers took turns on the twenty topics
				assertThat(Set.copyOf(listener.threadNames)).hasSizeGreaterThan(1)
					.allMatch((name) -> name.matches("mqtt-ordered-[0-3]"));
				assertOrderPerTopic(listener);
				assertThat(ListenerContexts.container(context, "ordered").getQueued()).isZero();
			});
	}

	@Test
	void pausedListenerWithPerTopicLanesShouldHoldMessagesAndDeliverThemInOrderAfterResume() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=false", "mqtt.listener.per-topic-lanes=true")
			.run((context) -> {
				MqttClientManager manager = ListenerContexts.awaitSubscribed(context);
				OrderListener listener = context.getBean(OrderListener.class);
				MqttListenerEndpointRegistry registry = context.getBean(MqttListenerEndpointRegistry.class);
				registry.pause("ordered");
				publishInterleaved();
				MqttListenerContainer container = ListenerContexts.container(context, "ordered");
				await().until(() -> manager.getInFlight().getIncomingQos1() > 0
						&& container.getQueued() == manager.getInFlight().getIncomingQos1());
				assertThat(listener.received()).as("a paused listener takes no messages").isZero();
				registry.resume("ordered");
				await().until(() -> listener.received() == TOPICS * MESSAGES_PER_TOPIC
						&& manager.getInFlight().getIncomingQos1() == 0);
				assertOrderPerTopic(listener);
			});
	}

	private void publishInterleaved() {
		for (int i = 0; i < MESSAGES_PER_TOPIC; i++) {
			for (int topic = 0; topic < TOPICS; topic++) {
				this.publisher.publish("vt/" + topic, Integer.toString(i), 1, false);
			}
		}
	}

	private static void assertOrderPerTopic(OrderListener listener) {
		List<Integer> expected = new ArrayList<>();
		for (int i = 0; i < MESSAGES_PER_TOPIC; i++) {
			expected.add(i);
		}
		assertThat(listener.byTopic).hasSize(TOPICS);
		listener.byTopic.forEach((topic, sequence) -> assertThat(List.copyOf(sequence)).as(topic).isEqualTo(expected));
	}

	/**
	 * {@code Thread.isVirtual()} exists from Java 21; the build compiles for Java 17.
	 */
	private static boolean isVirtual(Thread thread) {
		try {
			Method isVirtual = Thread.class.getMethod("isVirtual");
			return (boolean) isVirtual.invoke(thread);
		}
		catch (ReflectiveOperationException ex) {
			return false;
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OrderListener {

		final Map<String, Queue<Integer>> byTopic = new ConcurrentHashMap<>();

		final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

		final Queue<String> threadNames = new ConcurrentLinkedQueue<>();

		@MqttListener(id = "ordered", topics = "vt/{topic}", concurrency = "4")
		void onMessage(@TopicVariable String topic, String payload) throws InterruptedException {
			this.threads.add(Thread.currentThread());
			this.threadNames.add(Thread.currentThread().getName());
			// Even numbers take longer: two messages of a topic processed at the same time
			// would be recorded out of order.
			int sequence = Integer.parseInt(payload);
			Thread.sleep((sequence % 2 == 0) ? 3 : 0);
			this.byTopic.computeIfAbsent(topic, (key) -> new ConcurrentLinkedQueue<>()).add(sequence);
		}

		int received() {
			return this.byTopic.values().stream().mapToInt(Queue::size).sum();
		}

	}

}
