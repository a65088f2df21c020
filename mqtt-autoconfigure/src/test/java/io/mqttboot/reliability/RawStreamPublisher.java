package io.mqttboot.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

/**
 * Publishes ids {@code 0..count-1} as text to {@code <topic>/<id % 4>} of every topic
 * prefix at QoS 1 and a fixed rate of ids with a plain HiveMQ client of its own, at most
 * 500 unacknowledged: a publisher that is not the application's client, connected
 * straight to the broker so that faults injected between broker and application do not
 * touch it.
 */
final class RawStreamPublisher implements AutoCloseable {

	private final Mqtt5AsyncClient client;

	private final String[] topics;

	private final int count;

	private final int perSecond;

	private final Semaphore window = new Semaphore(500);

	private final AtomicInteger published = new AtomicInteger();

	private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();

	private final CountDownLatch completed;

	private final Thread thread;

	private volatile boolean closed;

	private RawStreamPublisher(Mqtt5AsyncClient client, int count, int perSecond, String[] topics) {
		this.client = client;
		this.topics = topics;
		this.count = count;
		this.perSecond = perSecond;
		this.completed = new CountDownLatch(count * topics.length);
		this.thread = new Thread(this::run, "raw-stream-publisher");
		this.thread.setDaemon(true);
	}

	static RawStreamPublisher start(String host, int port, int count, int perSecond, String... topics) {
		Mqtt5AsyncClient client = MqttClient.builder()
			.useMqttVersion5()
			.identifier("raw-stream-" + UUID.randomUUID().toString().substring(0, 8))
			.serverHost(host)
			.serverPort(port)
			.buildAsync();
		client.connect().join();
		RawStreamPublisher stream = new RawStreamPublisher(client, count, perSecond, topics);
		stream.thread.start();
		return stream;
	}

	private void run() {
		long start = System.nanoTime();
		for (int id = 0; id < this.count && !this.closed; id++) {
			long wait = start + TimeUnit.SECONDS.toNanos(id) / this.perSecond - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			int messageId = id;
			for (String topic : this.topics) {
				this.window.acquireUninterruptibly();
				this.client.publishWith()
					.topic(topic + "/" + (id % 4))
					.payload(Integer.toString(id).getBytes(StandardCharsets.UTF_8))
					.qos(MqttQos.AT_LEAST_ONCE)
					.send()
					.whenComplete((result, ex) -> {
						Throwable failure = (ex != null) ? ex : result.getError().orElse(null);
						if (failure != null) {
							this.failures.put(messageId, failure);
						}
						this.window.release();
						this.completed.countDown();
					});
			}
			this.published.incrementAndGet();
		}
	}

	int published() {
		return this.published.get();
	}

	Map<Integer, Throwable> failures() {
		return this.failures;
	}

	boolean awaitCompletion(Duration timeout) {
		try {
			return this.completed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public void close() {
		this.closed = true;
		this.client.disconnect().exceptionally((ex) -> null).join();
	}

	@Override
	public String toString() {
		return "published " + this.published.get() + " of " + this.count + " (failed " + this.failures.size()
				+ ((this.failures.isEmpty()) ? "" : ", first " + this.failures.values().iterator().next()) + ")";
	}

}
