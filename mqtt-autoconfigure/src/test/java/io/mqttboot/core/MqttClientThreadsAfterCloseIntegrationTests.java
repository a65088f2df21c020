package io.mqttboot.core;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import io.mqttboot.ListenerContexts;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ThreadPerTaskExecutor;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No Netty event loop thread of the HiveMQ client ({@code com.hivemq.client.mqtt-*}, not
 * daemon threads) may outlive the application context, whatever the connection was doing
 * when the context closed: a thread left behind keeps the JVM from exiting.
 * <p>
 * The client is given its own event loop group, built exactly as HiveMQ builds its
 * default one (a thread per loop from a non-daemon {@code DefaultThreadFactory}), so that
 * this test sees the threads of its client only: HiveMQ shares its default group among
 * every client of the JVM, and a thread another test's client holds would hide a leak.
 * HiveMQ releases a group given as a plain {@link Executor} exactly as its default one,
 * when the last user of the client's event loop lets go of it.
 */
class MqttClientThreadsAfterCloseIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(Listeners.class);

	private ApplicationContextRunner runner(String url, String version, TrackedThreads threads) {
		return this.contextRunner
			.withPropertyValues("mqtt.url=" + url, "mqtt.version=" + version,
					"mqtt.client-id=threads-after-close-" + version)
			.withBean("trackedEventLoop", MqttClientCustomizer.class, () -> threads::customize);
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "5", "3" })
	void closingWhileConnectingShouldLeaveNoClientThread(String version) {
		TrackedThreads threads = new TrackedThreads();
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			// The CONNECT is held until the context is closed (what a fast startup followed by
			// a close does without the proxy), then answered well within the connect timeout.
			proxy.freeze();
			runner(proxy.getUrl(), version, threads)
				.withPropertyValues("mqtt.connect-timeout=30s", "mqtt.shutdown-timeout=500ms")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					assertThat(manager.getState()).isEqualTo(MqttConnectionState.CONNECTING);
					await().until(() -> proxy.connectionCount() > 0);
				});
			proxy.unfreeze();
			threads.awaitAllTerminated();
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "5", "3" })
	void closingWhileASubscribeAwaitsItsSubAckShouldLeaveNoClientThread(String version) {
		TrackedThreads threads = new TrackedThreads();
		try (FaultProxy proxy = FaultProxy.to(broker.get())) {
			// A persistent session, which the client keeps after DISCONNECT together with
			// every SUBSCRIBE still unanswered.
			runner(proxy.getUrl(), version, threads)
				.withPropertyValues("mqtt.clean-start=false", "mqtt.session-expiry=1h", "mqtt.shutdown-timeout=500ms")
				.run((context) -> {
					ListenerContexts.awaitGranted(context.getBean(MqttClientManager.class));
					proxy.freeze();
					context.getBean(MqttListenerEndpointRegistry.class).getListenerContainer("late").start();
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					await().until(() -> manager.getSubscriptions()
						.stream()
						.anyMatch((status) -> status.filter().equals("threads/late")));
				});
			threads.awaitAllTerminated();
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "5", "3" })
	void closingWhileWaitingToReconnectToABrokerThatIsDownShouldLeaveNoClientThread(String version)
			throws IOException {
		TrackedThreads threads = new TrackedThreads();
		// The next attempt is due in half an hour at the earliest: the thread must not wait
		// for it.
		runner("tcp://127.0.0.1:" + closedPort(), version, threads)
			.withPropertyValues("mqtt.fail-fast=false", "mqtt.reconnect.initial-delay=1h", "mqtt.reconnect.max-delay=1h")
			.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				await().until(() -> manager.getState() == MqttConnectionState.RECONNECTING);
			});
		threads.awaitAllTerminated();
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * The threads of one client's event loop group.
	 */
	static final class TrackedThreads {

		private final List<Thread> started = new CopyOnWriteArrayList<>();

		private final Executor executor;

		TrackedThreads() {
			// As HiveMQ's NettyEventLoopProvider builds its default group: non-daemon, named
			// com.hivemq.client.mqtt-<pool>-<thread>.
			DefaultThreadFactory factory = new DefaultThreadFactory("com.hivemq.client.mqtt", false,
					Thread.MAX_PRIORITY) {

				@Override
				public Thread newThread(Runnable runnable) {
					Thread thread = super.newThread(runnable);
					TrackedThreads.this.started.add(thread);
					return thread;
				}

			};
			this.executor = new ThreadPerTaskExecutor(factory);
		}

		void customize(com.hivemq.client.mqtt.MqttClientBuilder builder) {
			builder.executorConfig(MqttClientExecutorConfig.builder().nettyExecutor(this.executor).build());
		}

		void awaitAllTerminated() {
			assertThat(this.started).as("event loop threads started for the client").isNotEmpty();
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(this.started).as("event loop threads still alive after close")
					.filteredOn(Thread::isAlive)
					.extracting(Thread::getName)
					.isEmpty());
		}

	}

	static class Listeners {

		@MqttListener(topics = "threads/early", qos = 1)
		void early(String payload) {
		}

		@MqttListener(id = "late", topics = "threads/late", qos = 1, autoStartup = "false")
		void late(String payload) {
		}

	}

}
