package io.mqttboot.benchmarks;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttInboundHandler;
import io.mqttboot.core.MqttReceivedMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * B11: bytes allocated per received message by what the starter adds on top of the HiveMQ
 * client (whose own decoding is the same with or without the starter), measured with JMH's GC
 * profiler ({@code gc.alloc.rate.norm}, all threads).
 * <p>
 * starter: a {@link MqttReceivedMessage} as the engine builds it, through the client's
 * inbound handler (the {@code MqttMessageDispatcher}: route lookup, delivery, hand-off to the
 * listener container's worker thread) into {@code @MqttListener void on(Reading reading,
 * @TopicVariable String device)} with a JSON payload, until the message is acknowledged (each
 * operation waits for it). raw: the same JSON decoded into the same record with Jackson and the
 * device level cut from the topic, on the calling thread. The application context connects to
 * the broker on {@code -Dbench.port} (the messages themselves do not go through it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AllocationBenchmark {

	private static final String[] TOPICS = new String[16];

	static {
		for (int i = 0; i < TOPICS.length; i++) {
			TOPICS[i] = "alloc/device-" + i + "/reading";
		}
	}

	private final byte[] payload = "{\"device\":\"device-7\",\"value\":21.5,\"timestamp\":1764504000000}"
		.getBytes(StandardCharsets.UTF_8);

	private final AtomicLong acknowledged = new AtomicLong();

	private final Runnable acknowledgement = this.acknowledged::incrementAndGet;

	private final JsonMapper mapper = JsonMapper.builder().build();

	private ConfigurableApplicationContext context;

	private MqttInboundHandler dispatcher;

	private long sent;

	private int next;

	@Setup(Level.Trial)
	public void setUp() throws Exception {
		this.context = new SpringApplicationBuilder(AllocationApp.class).web(WebApplicationType.NONE)
			.properties("mqtt.url=tcp://127.0.0.1:" + System.getProperty("bench.port", "1883"),
					"mqtt.client-id=bench-alloc", "spring.main.banner-mode=off", "logging.level.root=WARN")
			.run();
		MqttClientManager manager = this.context.getBean(MqttClientManager.class);
		Field field = MqttClientManager.class.getDeclaredField("inboundHandler");
		field.setAccessible(true);
		this.dispatcher = (MqttInboundHandler) field.get(manager);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!manager.isRunning() || manager.getSubscriptions().isEmpty()
				|| manager.getSubscriptions().get(0).grantedQos() == null) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Not subscribed: " + manager.getSubscriptions());
			}
			Thread.sleep(10);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.context.close();
	}

	private String nextTopic() {
		String topic = TOPICS[this.next];
		this.next = (this.next + 1) & (TOPICS.length - 1);
		return topic;
	}

	@Benchmark
	public void starter() {
		this.dispatcher.onMessage(new MqttReceivedMessage("default", nextTopic(), this.payload, 1, false, List.of(),
				null, null, null, null, this.acknowledgement));
		long expected = ++this.sent;
		while (this.acknowledged.get() < expected) {
			Thread.onSpinWait();
		}
	}

	@Benchmark
	public void raw(Blackhole blackhole) {
		String topic = nextTopic();
		int start = topic.indexOf('/') + 1;
		blackhole.consume(topic.substring(start, topic.indexOf('/', start)));
		blackhole.consume(this.mapper.readValue(this.payload, Reading.class));
	}

	/** The payload of B11. */
	public record Reading(String device, double value, long timestamp) {
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class AllocationApp {

		@Bean
		ReadingListener readingListener() {
			return new ReadingListener();
		}

	}

	static class ReadingListener {

		volatile Reading last;

		volatile String device;

		@MqttListener(id = "alloc", topics = "alloc/{device}/reading", qos = 1)
		void onReading(Reading reading, @TopicVariable String device) {
			this.last = reading;
			this.device = device;
		}

	}

}
