package io.mqttboot.benchmarks;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.VirtualThreadTaskExecutor;

/**
 * B9: a listener that blocks 5 ms per message (standing in for a database or HTTP call),
 * {@code concurrency = 200}, messages spread over 1,000 topics, on platform threads or on
 * virtual threads ({@code spring.threads.virtual.enabled=true}, Java 21+). The ideal rate is
 * 200 / 5 ms = 40,000 msg/s; the target is at least 0.8 of it.
 * <p>
 * QoS 0, so that the broker's in-flight window (QoS 1/2) does not cap the rate: what is
 * measured is how well the container keeps 200 invocations busy while keeping each topic in
 * order. A publisher (raw HiveMQ client, own connection, same JVM) sends {@code --per-topic}
 * messages to each topic, interleaved; the rate is messages / time from the first to the
 * last processed message. Each message carries its sequence number per topic: a message
 * processed before an earlier one of its topic counts as an order violation.
 */
final class BlockingListenerMain {

	private BlockingListenerMain() {
	}

	static void run(Args args) throws Exception {
		int port = args.getInt("port");
		boolean virtual = args.has("virtual");
		boolean perTopicLanes = virtual || args.has("per-topic-lanes");
		int topics = args.getInt("topics", 1000);
		int perTopic = args.getInt("per-topic", 200);
		int rounds = args.getInt("rounds", 3);
		int concurrency = args.getInt("concurrency", 200);
		int blockMillis = args.getInt("block-ms", 5);
		Report report = new Report(args.get("out"));
		// What this machine allows at the moment: the same number of threads of the same kind
		// only sleeping, no MQTT (the figure to compare with on a shared machine).
		double ceiling = sleepCeiling(concurrency, blockMillis, virtual);
		BlockingListener.blockMillis = blockMillis;
		BlockingListener.lastSequence = new AtomicIntegerArray(topics);
		for (int i = 0; i < topics; i++) {
			BlockingListener.lastSequence.set(i, -1);
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("mqtt.url=tcp://127.0.0.1:" + port, "mqtt.client-id=bench-blocking-listener",
					"spring.main.banner-mode=off", "logging.level.root=WARN", "bench.concurrency=" + concurrency,
					"spring.threads.virtual.enabled=" + virtual, "mqtt.listener.per-topic-lanes=" + perTopicLanes)
			.run();
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		MqttListenerContainer container = context.getBean(MqttListenerEndpointRegistry.class)
			.getListenerContainer("blocking");
		long subscribeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!manager.isConnected()
				|| manager.getSubscriptions().stream().anyMatch((status) -> status.grantedQos() == null)) {
			if (System.nanoTime() > subscribeDeadline) {
				throw new IllegalStateException("Subscription not granted: " + manager.getSubscriptions());
			}
			TimeUnit.MILLISECONDS.sleep(1);
		}
		Mqtt5AsyncClient publisher = MqttClient.builder()
			.useMqttVersion5()
			.identifier("bench-blocking-publisher")
			.serverHost("127.0.0.1")
			.serverPort(port)
			.buildAsync();
		publisher.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
		int sequence = 0;
		// Warm-up: a tenth of a round, not measured.
		sequence = round(publisher, topics, Math.max(1, perTopic / 10), sequence, null);
		List<Double> rates = new ArrayList<>();
		for (int round = 0; round < rounds; round++) {
			long[] window = new long[2];
			sequence = round(publisher, topics, perTopic, sequence, window);
			rates.add(topics * (double) perTopic / ((window[1] - window[0]) / 1e9));
		}
		Collections.sort(rates);
		double median = rates.get(rates.size() / 2);
		double ideal = concurrency * 1000.0 / blockMillis;
		String threads = (virtual ? "virtual" : "platform") + (perTopicLanes ? ", per-topic lanes" : ", hashed (default)");
		report.write(String.format("| %s | Java %d | %s | %s | %.2f | %s | %.2f | %d | %,d |%n", threads,
				Runtime.version().feature(), Stats.rate(median), rates.stream().map(Stats::rate).toList(),
				median / ideal, Stats.rate(ceiling), median / ceiling, BlockingListener.violations.sum(),
				container.getDropped()));
		publisher.disconnect().get(10, TimeUnit.SECONDS);
		context.close();
	}

	/**
	 * Return how many sleeps per second {@code threads} threads of the given kind manage for
	 * 3 s: the ideal rate minus what the machine takes (timer slack, other processes).
	 */
	private static double sleepCeiling(int threads, int blockMillis, boolean virtual) throws Exception {
		LongAdder sleeps = new LongAdder();
		long start = System.nanoTime();
		long end = start + TimeUnit.SECONDS.toNanos(3);
		Runnable sleeper = () -> {
			try {
				while (System.nanoTime() < end) {
					Thread.sleep(blockMillis);
					sleeps.increment();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
		ThreadFactory factory = virtual ? new VirtualThreadTaskExecutor("ceiling-").getVirtualThreadFactory()
				: Thread::new;
		List<Thread> started = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Thread thread = factory.newThread(sleeper);
			thread.start();
			started.add(thread);
		}
		for (Thread thread : started) {
			thread.join();
		}
		return sleeps.sum() / ((System.nanoTime() - start) / 1e9);
	}

	/**
	 * Publish {@code perTopic} messages to each topic, interleaved, and wait until all are
	 * processed.
	 * @return the next sequence number
	 */
	private static int round(Mqtt5AsyncClient publisher, int topics, int perTopic, int firstSequence,
			long[] window) throws InterruptedException {
		long target = BlockingListener.processed.get() + (long) topics * perTopic;
		BlockingListener.firstProcessedNanos.set(0);
		for (int i = 0; i < perTopic; i++) {
			for (int topic = 0; topic < topics; topic++) {
				ByteBuffer payload = ByteBuffer.allocate(8).putInt(topic).putInt(firstSequence + i).flip();
				publisher.publishWith().topic("bench/blocking/" + topic).qos(MqttQos.AT_MOST_ONCE).payload(payload).send();
			}
		}
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
		while (BlockingListener.processed.get() < target) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("B9 round did not finish: processed " + BlockingListener.processed.get()
						+ " of " + target + " (QoS 0 dropped by the broker or the listener?)");
			}
			TimeUnit.MILLISECONDS.sleep(2);
		}
		if (window != null) {
			window[0] = BlockingListener.firstProcessedNanos.get();
			window[1] = BlockingListener.lastProcessedNanos;
		}
		return firstSequence + perTopic;
	}

	/**
	 * Writes the B9 section header and table header; each JVM run appends one row.
	 */
	static void header(Args args) {
		Report report = new Report(args.get("out"));
		int blockMillis = args.getInt("block-ms", 5);
		int concurrency = args.getInt("concurrency", 200);
		report.section("B9 — blocking listener: " + blockMillis + " ms per message, concurrency " + concurrency
				+ ", 1,000 topics, QoS 0",
				String.format("Ideal rate %d / %d ms = %,d msg/s; target at least 0.8 × ideal. Publisher: raw HiveMQ"
						+ " client, own connection, same JVM, %s messages per topic per round, interleaved; rate ="
						+ " messages / (last − first processed); median of the rounds after a warm-up. An order"
						+ " violation is a message processed after a later one of its topic. Ceiling: in the same JVM"
						+ " just before, %d threads of the same kind doing nothing but sleep %d ms in a loop for 3 s"
						+ " (no MQTT) — what the machine allows at that moment.", concurrency, blockMillis,
						concurrency * 1000 / blockMillis, args.get("per-topic", "200"), concurrency, blockMillis));
		report.write("| listener threads | JVM | msg/s (median) | rounds | × ideal | ceiling sleeps/s | × ceiling"
				+ " | order violations | dropped |\n" + "|---|---|---|---|---|---|---|---|---|\n");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(BlockingListener.class)
	static class App {

	}

	static class BlockingListener {

		static volatile int blockMillis;

		static volatile AtomicIntegerArray lastSequence;

		static final AtomicLong processed = new AtomicLong();

		static final AtomicLong firstProcessedNanos = new AtomicLong();

		static volatile long lastProcessedNanos;

		static final LongAdder violations = new LongAdder();

		@MqttListener(id = "blocking", topics = "bench/blocking/+", qos = 0, concurrency = "${bench.concurrency}")
		void onMessage(byte[] payload) throws InterruptedException {
			firstProcessedNanos.compareAndSet(0, System.nanoTime());
			Thread.sleep(blockMillis);
			ByteBuffer buffer = ByteBuffer.wrap(payload);
			int topic = buffer.getInt();
			int sequence = buffer.getInt();
			if (lastSequence.getAndSet(topic, sequence) > sequence) {
				violations.increment();
			}
			lastProcessedNanos = System.nanoTime();
			processed.incrementAndGet();
		}

	}

}
