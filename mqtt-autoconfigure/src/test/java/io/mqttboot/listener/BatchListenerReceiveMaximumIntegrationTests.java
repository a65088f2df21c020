package io.mqttboot.listener;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MoquetteBroker;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A batch holds its QoS 1 messages unacknowledged until the listener returns, so on a
 * broker that keeps to the client's receive maximum (Moquette does) a batch larger than
 * that window never fills and waits for {@code batchMaxWait} every time. The container
 * makes such batches smaller: half the window, shared by the workers.
 */
@ExtendWith(OutputCaptureExtension.class)
class BatchListenerReceiveMaximumIntegrationTests {

	private static final MqttTestBroker moquette = new MoquetteBroker();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + moquette.getUrl(), "mqtt.reconnect.initial-delay=100ms",
				"mqtt.reconnect.max-delay=500ms");

	@BeforeAll
	static void startBroker() {
		moquette.start();
	}

	@AfterAll
	static void stopBroker() {
		moquette.close();
	}

	@Test
	void defaultBatchSizeAboveHalfTheReceiveMaximumShouldShrinkSoThatBatchesFill() {
		int messages = 200;
		this.contextRunner.withPropertyValues("mqtt.receive-maximum=20")
			.withUserConfiguration(DefaultSizeBatchListener.class)
			.run((context) -> {
				awaitSubscribed(context);
				DefaultSizeBatchListener listener = context.getBean(DefaultSizeBatchListener.class);
				List<String> sent = IntStream.range(0, messages).mapToObj((i) -> "window/a:" + i).toList();
				try (ConcurrentMqttListenerContainerIntegrationTests.AsyncPublisher publisher = new ConcurrentMqttListenerContainerIntegrationTests.AsyncPublisher(
						moquette)) {
					List<CompletableFuture<?>> published = publisher.publish(sent, 1);
					CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
				}
				await().until(() -> listener.payloads.size() >= messages);
				assertThat(listener.payloads).hasSize(messages)
					.containsExactlyElementsOf(IntStream.range(0, messages).mapToObj(String::valueOf).toList());
				assertThat(listener.batchSizes).allSatisfy((size) -> assertThat(size).isBetween(1, 10));
				assertThat(listener.batchSizes).as("batches fill").contains(10);
				assertThat(((ConcurrentMqttListenerContainer) container(context, "window")).getEffectiveBatchMaxSize())
					.isEqualTo(10);
			});
	}

	@Test
	void batchListenerBeyondHalfTheReceiveMaximumShouldWarnNamingTheListenerAndTheValues(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.receive-maximum=20", "mqtt.clients.edge.url=" + moquette.getUrl(),
					"mqtt.clients.edge.receive-maximum=8")
			.withUserConfiguration(WideAndFittingBatchListeners.class)
			.run((context) -> {
				awaitSubscribed(context);
				assertThat(((ConcurrentMqttListenerContainer) container(context, "wide")).getEffectiveBatchMaxSize())
					.isEqualTo(5);
				assertThat(((ConcurrentMqttListenerContainer) container(context, "fitting")).getEffectiveBatchMaxSize())
					.isEqualTo(10);
				assertThat(((ConcurrentMqttListenerContainer) container(context, "edge")).getEffectiveBatchMaxSize())
					.isEqualTo(4);
				assertThat(((ConcurrentMqttListenerContainer) container(context, "qos0")).getEffectiveBatchMaxSize())
					.as("QoS 0 messages do not count against the receive maximum")
					.isEqualTo(100);
				List<String> warnings = output.getOut()
					.lines()
					.filter((line) -> line.contains("WARN") && line.contains("receive"))
					.toList();
				assertThat(warnings).filteredOn((line) -> line.contains("'wide'"))
					.singleElement()
					.satisfies((line) -> assertThat(line).contains("Batch listener 'wide' on MQTT client 'default'")
						.contains("batches of at most 5 instead of batchMaxSize 100")
						.contains("concurrency 2")
						.contains("receive maximum 20")
						.contains("Set batchMaxSize to at most 5, or mqtt.receive-maximum to at least 400"));
				assertThat(warnings).filteredOn((line) -> line.contains("'edge'"))
					.singleElement()
					.satisfies((line) -> assertThat(line).contains("on MQTT client 'edge'")
						.contains("batches of at most 4 instead of batchMaxSize 100")
						.contains("receive maximum 8")
						.contains("mqtt.clients.edge.receive-maximum to at least 200"));
				assertThat(warnings).noneMatch((line) -> line.contains("'fitting'") || line.contains("'qos0'"));
			});
	}

	@ParameterizedTest
	@CsvSource({ "mqtt.version=3, 100", "mqtt.receive-maximum=65535, 40000" })
	void batchListenerShouldKeepItsSizeWhenTheClientSendsNoReceiveMaximum(String property, int batchMaxSize,
			CapturedOutput output) {
		// MQTT 3.1.1 has no receive maximum; the protocol default of 65,535 is not sent.
		this.contextRunner.withPropertyValues("mqtt.receive-maximum=20", "window.batch-max-size=" + batchMaxSize)
			.withPropertyValues(property)
			.withUserConfiguration(DefaultSizeBatchListener.class)
			.run((context) -> {
				awaitSubscribed(context);
				assertThat(((ConcurrentMqttListenerContainer) container(context, "window")).getEffectiveBatchMaxSize())
					.isEqualTo(batchMaxSize);
				assertThat(output.getOut()).doesNotContain("Batch listener 'window'");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class DefaultSizeBatchListener {

		final Queue<String> payloads = new ConcurrentLinkedQueue<>();

		final Queue<Integer> batchSizes = new ConcurrentLinkedQueue<>();

		@MqttListener(id = "window", topics = "window/+", qos = 1, batch = true,
				batchMaxSize = "${window.batch-max-size:100}")
		void ingest(List<String> batch) {
			this.payloads.addAll(batch);
			this.batchSizes.add(batch.size());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WideAndFittingBatchListeners {

		@MqttListener(id = "wide", topics = "wide/+", qos = 1, concurrency = "2", batch = true)
		void wide(List<String> batch) {
		}

		@MqttListener(id = "fitting", topics = "fitting/+", qos = 2, batch = true, batchMaxSize = "10")
		void fitting(List<String> batch) {
		}

		@MqttListener(id = "qos0", topics = "qos0/+", qos = 0, batch = true)
		void qos0(List<String> batch) {
		}

		@MqttListener(id = "edge", client = "edge", topics = "edge/+", qos = 1, batch = true)
		void edge(List<String> batch) {
		}

	}

}
