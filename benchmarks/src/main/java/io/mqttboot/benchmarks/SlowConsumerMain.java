package io.mqttboot.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.event.MqttConnectionLostEvent;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.handler.annotation.Payload;

/**
 * B7: a listener that sleeps 1 ms per message, offered QoS 1 messages at full rate for 60 s,
 * in a JVM started with {@code -Xmx256m} (publisher included, which only makes the heap
 * figure conservative).
 * <p>
 * The publisher (raw HiveMQ client, own connection) publishes as fast as it can but stays at
 * most {@code --backlog} messages (default 70,000) ahead of the listener, so that the test
 * ends in bounded time: the broker always holds messages for the listener, so the listener is
 * under full load all the time, and the backlog is larger than the HiveMQ client's receive
 * maximum (65,535), so the window of unacknowledged messages the broker may push into the
 * listener's JVM — not the harness — is what bounds its queue. Afterwards the listener
 * drains; every sequence number is checked.
 */
final class SlowConsumerMain {

	private SlowConsumerMain() {
	}

	static void run(Args args) throws Exception {
		int port = args.getInt("port");
		int seconds = args.getInt("seconds", 60);
		int backlog = args.getInt("backlog", 70_000);
		Report report = new Report(args.get("out"));
		// --persistent: the configuration a user who cannot lose messages is told to use (the
		// starter warns about clean sessions at startup); the default run measures the defaults.
		boolean persistent = args.has("persistent");
		String broker = args.get("broker", "mosquitto");
		// --receive-maximum: mqtt.receive-maximum for a broker that keeps to it (Moquette).
		String receiveMaximum = args.get("receive-maximum", null);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("mqtt.url=tcp://127.0.0.1:" + port, "mqtt.client-id=bench-slow-listener",
					"spring.main.banner-mode=off", "logging.level.root=WARN")
			.properties(persistent ? new String[] { "mqtt.clean-start=false", "mqtt.session-expiry=1h" }
					: new String[0])
			.properties((receiveMaximum != null) ? new String[] { "mqtt.receive-maximum=" + receiveMaximum }
					: new String[0])
			.run();
		SlowListener listener = context.getBean(SlowListener.class);
		MqttListenerContainer container = context.getBean(MqttListenerEndpointRegistry.class)
			.getListenerContainer("slow");
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		// SpringApplication.run returns before the broker granted the subscription (it is sent
		// asynchronously after CONNACK): wait for the SUBACK, or the first messages have no
		// subscriber yet.
		long subscribeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (manager.getSubscriptions().stream().anyMatch((status) -> status.grantedQos() == null)) {
			if (System.nanoTime() > subscribeDeadline) {
				throw new IllegalStateException("Subscription not granted: " + manager.getSubscriptions());
			}
			TimeUnit.MILLISECONDS.sleep(1);
		}
		Mqtt5AsyncClient publisher = MqttClient.builder()
			.useMqttVersion5()
			.identifier("bench-slow-publisher")
			.serverHost("127.0.0.1")
			.serverPort(port)
			.buildAsync();
		publisher.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
		HeapSampler sampler = new HeapSampler(container, manager, TimeUnit.SECONDS.toNanos(seconds));
		sampler.start();
		AtomicLong acked = new AtomicLong();
		AtomicLong failed = new AtomicLong();
		long published = 0;
		long start = System.nanoTime();
		long end = start + TimeUnit.SECONDS.toNanos(seconds);
		long processedAtEnd;
		while (System.nanoTime() < end) {
			if (published - listener.processed.get() >= backlog) {
				TimeUnit.MICROSECONDS.sleep(200);
				continue;
			}
			byte[] payload = new byte[64];
			Arrays.fill(payload, (byte) 'x');
			ByteBuffer.wrap(payload).put((byte) 'S').putLong(published);
			publisher.publishWith().topic("bench/slow").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
				.whenComplete((result, ex) -> ((ex != null) ? failed : acked).incrementAndGet());
			published++;
		}
		processedAtEnd = listener.processed.get();
		sampler.markEnd();
		double rate = processedAtEnd / (double) seconds;
		int polls = 0;
		long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(backlog / 500 + 60);
		while ((listener.processed.get() < published || acked.get() + failed.get() < published)
				&& System.nanoTime() < drainDeadline) {
			TimeUnit.MILLISECONDS.sleep(50);
			if (++polls % 100 == 0) {
				System.err.printf("B7 draining: published %d, acknowledged %d, failed %d, processed %d, queued %d%n",
						published, acked.get(), failed.get(), listener.processed.get(), container.getQueued());
			}
		}
		TimeUnit.MILLISECONDS.sleep(500);
		sampler.stopSampling();
		long distinct;
		long duplicates;
		synchronized (listener) {
			distinct = listener.seen.cardinality();
			duplicates = listener.duplicates;
		}
		long lost = published - distinct;
		String diagnosis = "";
		if (lost > 0) {
			diagnosis = diagnose(listener, publisher, published);
		}
		report.section("B7 — slow consumer on " + broker + ": listener sleeps 1 ms, full-rate QoS 1 for " + seconds
				+ " s, -Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m"
				+ (persistent ? " (mqtt.clean-start=false, mqtt.session-expiry=1h)" : " (default session settings)")
				+ ((receiveMaximum != null) ? ", mqtt.receive-maximum=" + receiveMaximum : ""),
				"Publisher (raw HiveMQ client, same JVM) stays at most " + String.format("%,d", backlog)
						+ " messages ahead of the listener; payload 64 B; listener concurrency 1 (default).");
		report.table("published", "processed (distinct)", "lost", "duplicates", "publish failures",
				"listener msg/s", "max heap after GC MB", "heap after GC, 1st / 2nd half MB", "max listener queue",
				"max unacked incoming", "connection losses", "OOM")
			.row(String.format("%,d", published), String.format("%,d", distinct), lost, duplicates, failed.get(),
					Stats.rate(rate), Stats.fixed(sampler.maxAfterGc / 1048576.0, 1),
					Stats.fixed(sampler.firstHalfMax / 1048576.0, 1) + " / "
							+ Stats.fixed(sampler.secondHalfMax / 1048576.0, 1),
					String.format("%,d", sampler.maxQueued), String.format("%,d", sampler.maxUnacked), listener.connectionLosses.get(), "no")
			.print();
		boolean bounded = sampler.maxAfterGc < Runtime.getRuntime().maxMemory() * 0.8
				&& sampler.secondHalfMax <= sampler.firstHalfMax * 1.5 + (16 << 20);
		String losses = (listener.connectionLosses.get() == 0) ? ""
				: " The listener's connection was lost " + listener.connectionLosses.get() + " time(s); last cause: "
						+ listener.lastLossCause + ".";
		report.write(String.format("%nTarget heap bounded, no OOM, nothing lost: %s.%s%s%n",
				Stats.verdict(bounded && lost == 0 && failed.get() == 0), losses, diagnosis));
		publisher.disconnect().get(10, TimeUnit.SECONDS);
		context.close();
	}

	/**
	 * Find out where missing messages are: list them, then publish a few more and see whether
	 * the missing ones arrive after all (stuck in the broker's queue) or never (lost).
	 */
	private static String diagnose(SlowListener listener, Mqtt5AsyncClient publisher, long published)
			throws Exception {
		StringBuilder missing = new StringBuilder();
		int count = 0;
		synchronized (listener) {
			for (int i = listener.seen.nextClearBit(0); i < published && count < 20; i = listener.seen.nextClearBit(i + 1)) {
				missing.append((count++ == 0) ? "" : ", ").append(i);
			}
		}
		long before = listener.processed.get();
		for (long sequence = published; sequence < published + 10; sequence++) {
			byte[] payload = new byte[64];
			Arrays.fill(payload, (byte) 'x');
			ByteBuffer.wrap(payload).put((byte) 'S').putLong(sequence);
			publisher.publishWith().topic("bench/slow").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
		}
		TimeUnit.SECONDS.sleep(3);
		long recovered;
		synchronized (listener) {
			recovered = published - listener.seen.get(0, (int) published).cardinality();
		}
		return String.format(" Missing sequence numbers (first 20): %s. After 10 more publishes %d more messages"
				+ " arrived and %d of the missing are still missing.", missing, listener.processed.get() - before,
				recovered);
	}

	/**
	 * Samples the heap after each collection (the pools' collection usage) and the listener's
	 * queue every 100 ms.
	 */
	static final class HeapSampler extends Thread {

		private final MqttListenerContainer container;

		private final MqttClientManager manager;

		private final long halfAt;

		private volatile boolean running = true;

		private volatile boolean ended;

		long maxAfterGc;

		long firstHalfMax;

		long secondHalfMax;

		int maxQueued;

		int maxUnacked;

		HeapSampler(MqttListenerContainer container, MqttClientManager manager, long durationNanos) {
			super("heap-sampler");
			this.halfAt = System.nanoTime() + durationNanos / 2;
			setDaemon(true);
			this.container = container;
			this.manager = manager;
		}

		void markEnd() {
			this.ended = true;
		}

		@Override
		public void run() {
			while (this.running) {
				long afterGc = 0;
				for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
					if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
						afterGc += pool.getCollectionUsage().getUsed();
					}
				}
				if (!this.ended) {
					this.maxAfterGc = Math.max(this.maxAfterGc, afterGc);
					this.maxQueued = Math.max(this.maxQueued, this.container.getQueued());
					this.maxUnacked = Math.max(this.maxUnacked, this.manager.getInFlight().getIncomingQos1());
					if (System.nanoTime() >= this.halfAt) {
						this.secondHalfMax = Math.max(this.secondHalfMax, afterGc);
					}
					else {
						this.firstHalfMax = Math.max(this.firstHalfMax, afterGc);
					}
				}
				try {
					Thread.sleep(100);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		void stopSampling() {
			this.running = false;
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(SlowListener.class)
	static class App {

	}

	static class SlowListener {

		final AtomicLong processed = new AtomicLong();

		final BitSet seen = new BitSet();

		long duplicates;

		final AtomicLong connectionLosses = new AtomicLong();

		volatile String lastLossCause = "";

		@EventListener
		void onConnectionLost(MqttConnectionLostEvent event) {
			this.connectionLosses.incrementAndGet();
			this.lastLossCause = String.valueOf(event.getCause());
		}

		@MqttListener(id = "slow", topics = "bench/slow", qos = 1)
		void onMessage(@Payload byte[] payload) throws InterruptedException {
			Thread.sleep(1);
			long sequence = ByteBuffer.wrap(payload, 1, 8).getLong();
			synchronized (this) {
				if (this.seen.get((int) sequence)) {
					this.duplicates++;
				}
				else {
					this.seen.set((int) sequence);
				}
			}
			this.processed.incrementAndGet();
		}

	}

}
