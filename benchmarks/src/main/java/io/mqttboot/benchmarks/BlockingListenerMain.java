package io.mqttboot.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
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
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.integration.channel.ExecutorChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.endpoint.EventDrivenConsumer;
import org.springframework.integration.mqtt.core.DefaultMqttPahoClientFactory;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * B9: a listener that blocks 5 ms per message (standing in for a database or HTTP call),
 * messages spread over 1,000 topics, at a given concurrency on platform or virtual threads
 * (Java 21+). The ideal rate is concurrency / 5 ms; the target is at least 0.8 of the ideal
 * rate or of the broker cap, whichever is lower.
 * <p>
 * Two contenders, one per JVM run: {@code starter} ({@code @MqttListener(concurrency = N)},
 * platform threads hashed by topic or in per-topic lanes, or
 * {@code spring.threads.virtual.enabled=true}) and {@code si} (spring-integration-mqtt: the
 * Paho MQTT 3.1.1 {@link MqttPahoMessageDrivenChannelAdapter} into an {@link ExecutorChannel}
 * backed by a {@link ThreadPoolTaskExecutor} with N platform threads, or by a
 * {@link SimpleAsyncTaskExecutor} with virtual threads and a concurrency limit of N, the shape
 * of Boot's {@code applicationTaskExecutor} with virtual threads).
 * <p>
 * QoS 0, so that the broker's in-flight window (QoS 1/2) does not cap the rate. A publisher
 * (raw HiveMQ client, own connection, same JVM) sends the messages of a round round-robin over
 * the topics (message k of the run goes to topic k mod 1,000 with sequence number k / 1,000,
 * so each round continues where the previous one stopped); a round holds about
 * {@code --round-seconds} worth of messages at min(ideal, broker cap). The rate is messages /
 * time from the first to the last processed message of a round. A message processed after a
 * later one of its topic counts as an order violation.
 * <p>
 * The broker cap ({@code blocking-listener-header}) is the QoS 0 rate at which the same kind of
 * publisher gets messages through mosquitto to a raw HiveMQ subscriber with a no-op callback.
 */
final class BlockingListenerMain {

	private static final String TOPIC_PREFIX = "bench/blocking/";

	private static final String CAP_TOPIC_PREFIX = "bench/blocking-cap/";

	/** Number of topics the messages are spread over ({@code --topics}, default 1,000). */
	private static int TOPICS = 1000;

	private BlockingListenerMain() {
	}

	static void run(Args args) throws Exception {
		int port = args.getInt("port");
		String contender = args.get("contender", "starter");
		boolean virtual = args.has("virtual");
		boolean perTopicLanes = virtual || args.has("per-topic-lanes");
		int rounds = args.getInt("rounds", 3);
		int concurrency = args.getInt("concurrency", 200);
		int blockMillis = args.getInt("block-ms", 5);
		double roundSeconds = Double.parseDouble(args.get("round-seconds", "3"));
		double brokerCap = Double.parseDouble(args.get("broker-cap", "NaN"));
		Report report = new Report(args.get("out"));
		double ideal = concurrency * 1000.0 / blockMillis;
		// What the target is taken of: the ideal rate, or the broker cap where that is lower.
		double expected = Double.isNaN(brokerCap) ? ideal : Math.min(ideal, brokerCap);
		int perRound = (int) Math.max(100, Math.round(expected * roundSeconds));
		// What this machine allows at the moment: the same number of threads of the same kind
		// only sleeping, no MQTT (the figure to compare with on a shared machine).
		double ceiling = sleepCeiling(concurrency, blockMillis, virtual,
				Double.parseDouble(args.get("ceiling-seconds", "3")));
		TOPICS = args.getInt("topics", 1000);
		Processor.reset(TOPICS, blockMillis);
		Receiver receiver = switch (contender) {
			case "starter" -> new StarterReceiver(port, concurrency, virtual, perTopicLanes);
			case "si" -> new SiReceiver(port, concurrency, virtual);
			default -> throw new IllegalArgumentException("Unknown B9 contender '" + contender + "' (starter or si)");
		};
		Mqtt5AsyncClient publisher = connect(port, "bench-blocking-publisher");
		List<Double> rates = new ArrayList<>();
		long missing = 0;
		try {
			long next = 0;
			// Warm-up: a fifth of a round, not measured.
			int warmUp = Math.max(100, perRound / 5);
			missing += Processor.round(publisher, next, warmUp, roundSeconds, null);
			next += warmUp;
			for (int round = 0; round < rounds; round++) {
				long[] window = new long[2];
				long lost = Processor.round(publisher, next, perRound, roundSeconds, window);
				missing += lost;
				next += perRound;
				rates.add((perRound - lost) / ((window[1] - window[0]) / 1e9));
			}
		}
		finally {
			publisher.disconnect().get(10, TimeUnit.SECONDS);
		}
		String dropped = receiver.dropped();
		receiver.close();
		Collections.sort(rates);
		double median = rates.get(rates.size() / 2);
		String threads = virtual ? "virtual" : "platform";
		if (contender.equals("starter")) {
			threads += perTopicLanes ? ", per-topic lanes (default for concurrency > 1)" : ", hashed (per-topic-lanes=false)";
		}
		report.write(String.format(Locale.ROOT, "| %s | %s | %d | Java %d | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %,d | %s | %,d |%n",
				contender, threads, concurrency, Runtime.version().feature(), perRound, Stats.rate(median),
				rates.stream().map(Stats::rate).toList(), Stats.rate(ideal), Stats.ratio(median / ideal),
				Stats.ratio(median / expected), Stats.verdict(median >= 0.8 * expected), Stats.rate(ceiling),
				Stats.ratio(median / ceiling), Processor.violations.sum(), dropped, missing));
		String csv = args.get("csv", null);
		if (csv != null) {
			Files.writeString(Path.of(csv),
					String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%d,%d,%d%n", contender + " "
						+ threads.replaceAll(" \\([^)]*\\)", "").replace(",", ""), concurrency, Math.round(median), Math.round(ideal),
							Double.isNaN(brokerCap) ? "" : Long.toString(Math.round(brokerCap)), Math.round(ceiling),
							Processor.violations.sum(), missing),
					StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
	}

	/**
	 * Measures the broker cap, writes the B9 section header and table header (each JVM run then
	 * appends one row) and starts the chart's CSV file; prints the broker cap (msg/s) to the
	 * file named by {@code --cap-file}.
	 */
	static void header(Args args) throws Exception {
		Report report = new Report(args.get("out"));
		int blockMillis = args.getInt("block-ms", 5);
		int capMessages = args.getInt("cap-messages", 200_000);
		int capRounds = args.getInt("cap-rounds", 3);
		List<Double> caps = brokerCap(args.getInt("port"), capMessages, capRounds);
		// The best round: a cap is what the broker can do, and a busy machine only lowers it.
		double cap = Collections.max(caps);
		report.section("B9 — blocking listener: " + blockMillis + " ms per message, 1,000 topics, QoS 0",
				String.format(Locale.ROOT, "Ideal rate = concurrency / %d ms; target at least 0.8 × min(ideal, broker"
						+ " cap). Broker cap: %s msg/s (best of the rounds %s), the QoS 0 rate at which the same publisher"
						+ " gets %,d messages over the 1,000 topics through the broker to a raw HiveMQ subscriber with"
						+ " a no-op callback, measured at the start of the B9 run (after a warm-up of a fifth of that). Contenders: starter ="
						+ " @MqttListener(concurrency = N) on platform threads (per-topic lanes, the default for N > 1, or"
						+ " hashed by topic with mqtt.listener.per-topic-lanes=false, the arrangement of a single worker) or with spring.threads.virtual.enabled=true (per-topic lanes); si ="
						+ " spring-integration-mqtt 7.0, Paho MQTT 3.1.1 MqttPahoMessageDrivenChannelAdapter →"
						+ " ExecutorChannel on a ThreadPoolTaskExecutor with N platform threads (unbounded queue),"
						+ " or on a SimpleAsyncTaskExecutor with virtual threads and concurrency limit N (the"
						+ " adapter's thread waits when N are busy). Publisher: raw HiveMQ client, own connection,"
						+ " same JVM, messages round-robin over the topics, each round continuing the sequence"
						+ " numbers of the previous one; a round holds about %s s of messages at min(ideal, broker"
						+ " cap); rate = messages / (last − first processed); median of the rounds after a warm-up"
						+ " of a fifth of a round. Order violations: messages processed after a later one of their"
						+ " topic (an executor channel does not promise order). Dropped: the container's"
						+ " dropped-message count (si has none to report); missing: messages never processed"
						+ " (a round gives up after 10 s without progress). Ceiling: in the same JVM just before,"
						+ " N threads of the same kind doing nothing but sleep %d ms in a loop — what the machine"
						+ " allows at that moment.", blockMillis, Stats.rate(cap),
						caps.stream().map(Stats::rate).toList(), capMessages, args.get("round-seconds", "3"),
						blockMillis));
		report.write("| contender | threads | concurrency | JVM | messages / round | msg/s (median) | rounds"
				+ " | ideal msg/s | × ideal | × min(ideal, cap) | target ≥ 0.8 | ceiling sleeps/s | × ceiling"
				+ " | order violations | dropped | missing |\n"
				+ "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
		String capFile = args.get("cap-file", null);
		if (capFile != null) {
			Files.writeString(Path.of(capFile), Long.toString(Math.round(cap)), StandardCharsets.UTF_8);
		}
		String csv = args.get("csv", null);
		if (csv != null) {
			Files.writeString(Path.of(csv),
					"contender,concurrency,msg_per_s,ideal,broker_cap,ceiling,order_violations,missing\n",
					StandardCharsets.UTF_8);
		}
	}

	/**
	 * Draws {@code --chart} (SVG) from the CSV file the runs appended to ({@code --csv}).
	 */
	static void chart(Args args) throws Exception {
		List<String> lines = Files.readAllLines(Path.of(args.get("csv")), StandardCharsets.UTF_8);
		Map<String, Map<Integer, Double>> series = new LinkedHashMap<>();
		TreeSet<Integer> concurrencies = new TreeSet<>();
		for (String line : lines.subList(1, lines.size())) {
			String[] cells = line.split(",", -1);
			int concurrency = Integer.parseInt(cells[1]);
			double rate = Double.parseDouble(cells[2]);
			double ideal = Double.parseDouble(cells[3]);
			double bound = cells[4].isEmpty() ? ideal : Math.min(ideal, Double.parseDouble(cells[4]));
			concurrencies.add(concurrency);
			series.computeIfAbsent(cells[0], (key) -> new LinkedHashMap<>()).put(concurrency, rate / bound);
		}
		Files.writeString(Path.of(args.get("chart")), Chart.svg(series, new ArrayList<>(concurrencies)),
				StandardCharsets.UTF_8);
	}

	private static List<Double> brokerCap(int port, int messages, int rounds) throws Exception {
		AtomicLong received = new AtomicLong();
		AtomicLong first = new AtomicLong();
		AtomicLong last = new AtomicLong();
		Mqtt5AsyncClient subscriber = connect(port, "bench-blocking-cap-subscriber");
		subscriber.subscribeWith()
			.topicFilter(CAP_TOPIC_PREFIX + "+")
			.qos(MqttQos.AT_MOST_ONCE)
			.callback((publish) -> {
				long now = System.nanoTime();
				first.compareAndSet(0, now);
				last.set(now);
				received.incrementAndGet();
			})
			.send()
			.get(10, TimeUnit.SECONDS);
		Mqtt5AsyncClient publisher = connect(port, "bench-blocking-cap-publisher");
		List<Double> rates = new ArrayList<>();
		long next = 0;
		for (int round = -1; round < rounds; round++) {
			int count = (round < 0) ? messages / 5 : messages;
			long target = received.get() + count;
			first.set(0);
			publish(publisher, CAP_TOPIC_PREFIX, next, count);
			next += count;
			long progress = received.get();
			long idleSince = System.nanoTime();
			while (received.get() < target) {
				TimeUnit.MILLISECONDS.sleep(2);
				if (received.get() != progress) {
					progress = received.get();
					idleSince = System.nanoTime();
				}
				else if (System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(5)) {
					break;
				}
			}
			long got = count - (target - received.get());
			if (round >= 0) {
				rates.add(got / ((last.get() - first.get()) / 1e9));
			}
		}
		publisher.disconnect().get(10, TimeUnit.SECONDS);
		subscriber.disconnect().get(10, TimeUnit.SECONDS);
		return rates;
	}

	private static Mqtt5AsyncClient connect(int port, String clientId) throws Exception {
		Mqtt5AsyncClient client = MqttClient.builder()
			.useMqttVersion5()
			.identifier(clientId)
			.serverHost("127.0.0.1")
			.serverPort(port)
			.buildAsync();
		client.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
		return client;
	}

	/**
	 * Publish messages {@code first} to {@code first + count - 1} of the run at QoS 0: message k
	 * goes to topic k mod the number of topics and carries that topic and k / topics as its
	 * sequence number.
	 */
	private static void publish(Mqtt5AsyncClient publisher, String prefix, long first, int count) {
		for (long k = first; k < first + count; k++) {
			int topic = (int) (k % TOPICS);
			ByteBuffer payload = ByteBuffer.allocate(8).putInt(topic).putInt((int) (k / TOPICS)).flip();
			publisher.publishWith().topic(prefix + topic).qos(MqttQos.AT_MOST_ONCE).payload(payload).send();
		}
	}

	/**
	 * Return how many sleeps per second {@code threads} threads of the given kind manage: the
	 * ideal rate minus what the machine takes (timer slack, other processes).
	 */
	private static double sleepCeiling(int threads, int blockMillis, boolean virtual, double seconds)
			throws Exception {
		LongAdder sleeps = new LongAdder();
		long start = System.nanoTime();
		long end = start + (long) (seconds * 1e9);
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
	 * The blocking handler both contenders call, and its counters.
	 */
	static final class Processor {

		static volatile int blockMillis;

		static volatile AtomicIntegerArray lastSequence;

		static final AtomicLong processed = new AtomicLong();

		static final AtomicLong firstProcessedNanos = new AtomicLong();

		static volatile long lastProcessedNanos;

		static final LongAdder violations = new LongAdder();

		private Processor() {
		}

		static void reset(int topics, int blockMillis) {
			Processor.blockMillis = blockMillis;
			AtomicIntegerArray sequences = new AtomicIntegerArray(topics);
			for (int i = 0; i < topics; i++) {
				sequences.set(i, -1);
			}
			lastSequence = sequences;
		}

		static void process(byte[] payload) {
			firstProcessedNanos.compareAndSet(0, System.nanoTime());
			try {
				Thread.sleep(blockMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			ByteBuffer buffer = ByteBuffer.wrap(payload);
			int topic = buffer.getInt();
			int sequence = buffer.getInt();
			if (lastSequence.getAndSet(topic, sequence) > sequence) {
				violations.increment();
			}
			lastProcessedNanos = System.nanoTime();
			processed.incrementAndGet();
		}

		/**
		 * Publish one round and wait until all of it is processed, or until nothing has been
		 * processed for 10 s.
		 * @return how many messages of the round were not processed
		 */
		static long round(Mqtt5AsyncClient publisher, long first, int count, double roundSeconds, long[] window)
				throws InterruptedException {
			long target = processed.get() + count;
			firstProcessedNanos.set(0);
			publish(publisher, TOPIC_PREFIX, first, count);
			long progress = processed.get();
			long idleSince = System.nanoTime();
			while (processed.get() < target) {
				TimeUnit.MILLISECONDS.sleep(2);
				if (processed.get() != progress) {
					progress = processed.get();
					idleSince = System.nanoTime();
				}
				else if (System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(10)) {
					break;
				}
			}
			if (window != null) {
				window[0] = firstProcessedNanos.get();
				window[1] = lastProcessedNanos;
			}
			return Math.max(0, target - processed.get());
		}

	}

	private interface Receiver extends AutoCloseable {

		/** What the receiver counts as dropped, or {@code n/a}. */
		String dropped();

		@Override
		void close();

	}

	private static final class StarterReceiver implements Receiver {

		private final ConfigurableApplicationContext context;

		private final MqttListenerContainer container;

		StarterReceiver(int port, int concurrency, boolean virtual, boolean perTopicLanes) throws Exception {
			this.context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
				.properties("mqtt.url=tcp://127.0.0.1:" + port, "mqtt.client-id=bench-blocking-listener",
						"spring.main.banner-mode=off", "logging.level.root=WARN", "bench.concurrency=" + concurrency,
						"spring.threads.virtual.enabled=" + virtual, "mqtt.listener.per-topic-lanes=" + perTopicLanes)
				.run();
			MqttClientManager manager = this.context.getBean(MqttClientManager.class);
			this.container = this.context.getBean(MqttListenerEndpointRegistry.class).getListenerContainer("blocking");
			long subscribeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!manager.isConnected()
					|| manager.getSubscriptions().stream().anyMatch((status) -> status.grantedQos() == null)) {
				if (System.nanoTime() > subscribeDeadline) {
					throw new IllegalStateException("Subscription not granted: " + manager.getSubscriptions());
				}
				TimeUnit.MILLISECONDS.sleep(1);
			}
		}

		@Override
		public String dropped() {
			return String.format(Locale.ROOT, "%,d", this.container.getDropped());
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(BlockingListener.class)
	static class App {

	}

	static class BlockingListener {

		@MqttListener(id = "blocking", topics = TOPIC_PREFIX + "+", qos = 0, concurrency = "${bench.concurrency}")
		void onMessage(byte[] payload) {
			Processor.process(payload);
		}

	}

	private static final class SiReceiver implements Receiver {

		private final AnnotationConfigApplicationContext context;

		SiReceiver(int port, int concurrency, boolean virtual) throws Exception {
			this.context = new AnnotationConfigApplicationContext();
			this.context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("bench",
						Map.of("bench.port", port, "bench.concurrency", concurrency, "bench.virtual", virtual)));
			this.context.register(SiConfig.class);
			this.context.refresh();
			if (!this.context.getBean(SiConfig.class).subscribed.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("si: no MqttSubscribedEvent for " + TOPIC_PREFIX + "+ within 30 s");
			}
		}

		@Override
		public String dropped() {
			return "n/a";
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

	/**
	 * spring-integration-mqtt: Paho MQTT 3.1.1 inbound adapter → executor channel → the blocking
	 * handler.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableIntegration
	static class SiConfig {

		final CountDownLatch subscribed = new CountDownLatch(1);

		@EventListener
		void onSubscribed(MqttSubscribedEvent event) {
			this.subscribed.countDown();
		}

		@Bean
		DefaultMqttPahoClientFactory benchPahoClientFactory(Environment environment) {
			// Paho's default in-flight window (10); the subscriber publishes nothing.
			return SiContender.pahoClientFactory(environment, 10);
		}

		@Bean
		TaskExecutor benchExecutor(Environment environment) {
			int concurrency = environment.getRequiredProperty("bench.concurrency", Integer.class);
			if (environment.getRequiredProperty("bench.virtual", Boolean.class)) {
				SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("b9-si-");
				executor.setVirtualThreads(true);
				executor.setConcurrencyLimit(concurrency);
				return executor;
			}
			ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
			executor.setCorePoolSize(concurrency);
			executor.setMaxPoolSize(concurrency);
			executor.setThreadNamePrefix("b9-si-");
			return executor;
		}

		@Bean
		ExecutorChannel benchInput(TaskExecutor benchExecutor) {
			return new ExecutorChannel(benchExecutor);
		}

		@Bean
		EventDrivenConsumer benchHandler(ExecutorChannel benchInput) {
			return new EventDrivenConsumer(benchInput, (message) -> Processor.process((byte[]) message.getPayload()));
		}

		@Bean
		MqttPahoMessageDrivenChannelAdapter benchInbound(DefaultMqttPahoClientFactory factory,
				ExecutorChannel benchInput) {
			MqttPahoMessageDrivenChannelAdapter adapter = new MqttPahoMessageDrivenChannelAdapter("bench-blocking-si",
					factory, TOPIC_PREFIX + "+");
			adapter.setQos(0);
			SiContender.receiveBytes(adapter, benchInput);
			return adapter;
		}

	}

	/**
	 * A small SVG line chart of the B9 medians as a fraction of min(ideal, broker cap), by
	 * concurrency (the measured concurrencies evenly spaced on the x axis), one line per
	 * contender and thread kind, with the 0.8 target dashed.
	 */
	static final class Chart {

		private static final String[] COLORS = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b" };

		private Chart() {
		}

		static String svg(Map<String, Map<Integer, Double>> series, List<Integer> concurrencies) {
			int width = 680;
			int height = 320;
			int left = 60;
			int right = 250;
			int top = 30;
			int bottom = 40;
			// Up to a multiple of 0.4 (at least 1.2), so that the four steps are round numbers.
			double max = Math.max(1.2, Math.ceil(series.values().stream().flatMap((m) -> m.values().stream())
				.mapToDouble(Double::doubleValue).max().orElse(1) * 1.1 / 0.4) * 0.4);
			int plotWidth = width - left - right;
			int plotHeight = height - top - bottom;
			StringBuilder svg = new StringBuilder();
			svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
				.append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
			svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
			svg.append("<text x=\"").append(left)
				.append("\" y=\"18\">B9 blocking listener (5 ms): msg/s ÷ min(ideal, broker cap) by concurrency</text>\n");
			svg.append(line(left, top + plotHeight, left + plotWidth, top + plotHeight, "black", ""));
			svg.append(line(left, top, left, top + plotHeight, "black", ""));
			for (int i = 0; i <= 4; i++) {
				double value = max * i / 4;
				double y = top + plotHeight - plotHeight * i / 4.0;
				svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.1f</text>%n",
						left - 6, y + 4, value));
			}
			int target = (int) Math.round(top + plotHeight - plotHeight * 0.8 / max);
			svg.append(line(left, target, left + plotWidth, target, "gray", " stroke-dasharray=\"4 4\""));
			svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"gray\" text-anchor=\"end\">target 0.8</text>%n",
					left + plotWidth - 4, target - 4));
			for (int i = 0; i < concurrencies.size(); i++) {
				svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%,d</text>%n",
						x(i, concurrencies.size(), left, plotWidth), top + plotHeight + 18, concurrencies.get(i)));
			}
			int n = 0;
			for (Map.Entry<String, Map<Integer, Double>> entry : series.entrySet()) {
				String color = COLORS[n % COLORS.length];
				StringBuilder points = new StringBuilder();
				for (int i = 0; i < concurrencies.size(); i++) {
					Double value = entry.getValue().get(concurrencies.get(i));
					if (value == null) {
						continue;
					}
					double x = x(i, concurrencies.size(), left, plotWidth);
					double y = top + plotHeight - plotHeight * value / max;
					points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
					svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x,
							y, color));
				}
				svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color)
					.append("\" points=\"").append(points.toString().trim()).append("\"/>\n");
				svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
						left + plotWidth + 12, top + 40 + 18 * n, color, entry.getKey()));
				n++;
			}
			svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">concurrency</text>%n",
					left + plotWidth / 2, height - 6));
			svg.append("</svg>\n");
			return svg.toString();
		}

		private static double x(int index, int count, int left, int plotWidth) {
			return left + ((count == 1) ? 0 : plotWidth * index / (double) (count - 1));
		}

		private static String line(int x1, int y1, int x2, int y2, String color, String extra) {
			return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s/>%n", x1,
					y1, x2, y2, color, extra);
		}

	}

}
