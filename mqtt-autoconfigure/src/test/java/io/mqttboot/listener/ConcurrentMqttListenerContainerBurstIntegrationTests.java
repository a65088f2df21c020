package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.util.ReflectionTestUtils;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ConcurrentMqttListenerContainer}'s worker queues under bursts from several
 * publishers, with the workers running dry and parking between bursts, and the end of
 * idle workers on stop.
 */
class ConcurrentMqttListenerContainerBurstIntegrationTests {

	private static final int PUBLISHERS = 4;

	private static final int TOPICS_PER_QOS = 5;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	@Test
	void burstsOfQos0AndQos1MessagesFromSeveralPublishersShouldAllArriveInOrderPerTopic() {
		int rounds = 10;
		int perBurst = 500;
		int total = PUBLISHERS * rounds * perBurst;
		int perTopic = rounds * perBurst / (2 * TOPICS_PER_QOS);
		// Large enough that the container drops no QoS 0 message.
		runner().withPropertyValues("mqtt.listener.queue-capacity=" + total)
			.withUserConfiguration(BurstListener.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				BurstListener listener = context.getBean(BurstListener.class);
				MqttListenerContainer container = container(context, "burst");
				ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
				List<Mqtt5AsyncClient> clients = new ArrayList<>();
				try {
					for (int p = 0; p < PUBLISHERS; p++) {
						clients.add(connect());
					}
					// Each publisher owns its topics: their order is the order it sent them in.
					int[][] next = new int[PUBLISHERS][2 * TOPICS_PER_QOS];
					for (int round = 0; round < rounds; round++) {
						List<Future<?>> bursts = new ArrayList<>();
						for (int p = 0; p < PUBLISHERS; p++) {
							int publisher = p;
							bursts.add(pool.submit(() -> {
								burst(clients.get(publisher), publisher, next[publisher], perBurst);
								return null;
							}));
						}
						for (Future<?> burst : bursts) {
							burst.get(60, TimeUnit.SECONDS);
						}
						// The workers run dry and park before the next burst.
						int target = (round + 1) * PUBLISHERS * perBurst;
						await().atMost(Duration.ofSeconds(30))
							.pollInterval(Duration.ofMillis(10))
							.until(() -> listener.count.get() >= target);
					}
				}
				finally {
					pool.shutdownNow();
					for (Mqtt5AsyncClient client : clients) {
						client.disconnect().get(10, TimeUnit.SECONDS);
					}
				}
				assertThat(listener.count).hasValue(total);
				assertThat(container.getDropped()).isZero();
				assertThat(container.getFailed()).isZero();
				assertThat(container.getProcessed()).isEqualTo(total);
				assertThat(listener.sequences).hasSize(PUBLISHERS * 2 * TOPICS_PER_QOS);
				List<Integer> expected = IntStream.range(0, perTopic).boxed().toList();
				listener.sequences.forEach((topic, sequence) -> assertThat(sequence).as(topic).isEqualTo(expected));
				listener.qos.forEach((topic, qos) -> assertThat(qos).as(topic)
					.containsExactly(topic.contains("/q1/") ? 1 : 0));
				assertThat(listener.threads).allSatisfy((thread) -> assertThat(thread).startsWith("mqtt-burst-"));
				await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
			});
	}

	@Test
	void stoppingAContextWithIdleWorkersShouldEndEveryWorkerThread() {
		// Hashed workers: each worker owns a queue (per-topic lanes are the default for
		// concurrency > 1, see the next test).
		runner().withUserConfiguration(BurstListener.class)
			.withPropertyValues("mqtt.listener.per-topic-lanes=false")
			.run((context) -> stopIdleWorkers(context, (container) -> Arrays
				.stream((Object[]) ReflectionTestUtils.getField(container, "workers"))
				.map((worker) -> ReflectionTestUtils.getField(worker, "run"))
				.toList()));
	}

	@Test
	void stoppingAContextWithIdlePerTopicLaneWorkersShouldEndEveryWorkerThread() {
		runner().withUserConfiguration(BurstListener.class)
			.run((context) -> stopIdleWorkers(context,
					(container) -> Arrays.asList((Object[]) ReflectionTestUtils.getField(container, "laneRuns"))));
	}

	private void stopIdleWorkers(AssertableApplicationContext context,
			Function<MqttListenerContainer, List<Object>> runsOf) throws Exception {
		awaitSubscribed(context);
		BurstListener listener = context.getBean(BurstListener.class);
		MqttListenerContainer container = container(context, "burst");
		try (RawMqttClient publisher = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			for (int topic = 0; topic < 8; topic++) {
				publisher.publish("burst/idle/" + topic, "0", 1, false);
			}
		}
		await().until(() -> listener.count.get() == 8 && container.getQueued() == 0);
		List<Thread> workers = workerThreads("burst");
		assertThat(workers).hasSize(4);
		List<Object> runs = runsOf.apply(container);
		context.stop();
		assertThat(container.isRunning()).isFalse();
		assertThat(workerThreads("burst")).isEmpty();
		// White box: each worker ended by itself, none had to be given up on and
		// interrupted once the shutdown timeout had passed.
		assertThat(workers).allSatisfy((worker) -> assertThat(worker.isAlive()).as(worker.getName()).isFalse());
		assertThat(runs).hasSize(4)
			.allSatisfy((run) -> assertThat(ReflectionTestUtils.getField(run, "abandoned")).isEqualTo(false));
	}

	private static void burst(Mqtt5AsyncClient client, int publisher, int[] next, int messages) throws Exception {
		List<CompletableFuture<?>> sent = new ArrayList<>(messages);
		for (int i = 0; i < messages; i++) {
			int qos = i % 2;
			int topic = (i / 2) % TOPICS_PER_QOS;
			int slot = qos * TOPICS_PER_QOS + topic;
			sent.add(client.publishWith()
				.topic("burst/p" + publisher + "/q" + qos + "/" + topic)
				.qos(MqttQos.fromCode(qos))
				.payload(String.valueOf(next[slot]++).getBytes(StandardCharsets.US_ASCII))
				.send());
		}
		CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
	}

	private static Mqtt5AsyncClient connect() throws Exception {
		Mqtt5AsyncClient client = MqttClient.builder()
			.useMqttVersion5()
			.identifier("burst-publisher-" + UUID.randomUUID().toString().substring(0, 8))
			.serverHost(broker.getHost())
			.serverPort(broker.getPort())
			.buildAsync();
		client.connect().get(10, TimeUnit.SECONDS);
		return client;
	}

	private static List<Thread> workerThreads(String listenerId) {
		Pattern name = Pattern.compile("mqtt-" + Pattern.quote(listenerId) + "-\\d+");
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && name.matcher(thread.getName()).matches())
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class BurstListener {

		final Map<String, List<Integer>> sequences = new ConcurrentHashMap<>();

		final Map<String, Set<Integer>> qos = new ConcurrentHashMap<>();

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		final AtomicInteger count = new AtomicInteger();

		@MqttListener(id = "burst", topics = "burst/#", qos = 1, concurrency = "4")
		void onMessage(MqttReceivedMessage message) {
			String topic = message.getTopic();
			this.sequences.computeIfAbsent(topic, (key) -> Collections.synchronizedList(new ArrayList<>()))
				.add(Integer.parseInt(new String(message.getPayload(), StandardCharsets.US_ASCII)));
			this.qos.computeIfAbsent(topic, (key) -> ConcurrentHashMap.newKeySet()).add(message.getQos());
			this.threads.add(Thread.currentThread().getName());
			this.count.incrementAndGet();
		}

	}

}
