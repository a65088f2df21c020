package io.mqttboot.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

/**
 * The HiveMQ MQTT client used directly: MQTT 5, async API, one connection that publishes and
 * listens (the same topology as the starter, whose template and listeners share the one
 * connection of a client id), the subscriber callback on the client's own threads with its
 * default automatic acknowledgement. Receive maximum stays at the client's default.
 */
final class RawContender implements Contender {

	private final int port;

	private final Sink sink = new Sink();

	private final AtomicReference<CompletableFuture<Long>> pendingReply = new AtomicReference<>();

	private Mqtt5AsyncClient client;

	private volatile long requestReceived;

	private volatile long lastRequestLeg;

	RawContender(int port) {
		this.port = port;
	}

	@Override
	public String name() {
		return "raw";
	}

	@Override
	public Sink sink() {
		return this.sink;
	}

	@Override
	public void start() throws Exception {
		this.client = MqttClient.builder()
			.useMqttVersion5()
			.identifier("bench-raw")
			.serverHost("127.0.0.1")
			.serverPort(this.port)
			.buildAsync();
		this.client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, this::onMessage);
		this.client.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
		for (int qos = 0; qos <= 1; qos++) {
			this.client.subscribeWith()
				.topicFilter(Contender.topic(name(), qos))
				.qos(MqttQos.fromCode(qos))
				.send()
				.get(10, TimeUnit.SECONDS);
		}
		this.client.subscribeWith().topicFilter(LatencyBenchmark.requestTopic(name())).qos(MqttQos.AT_LEAST_ONCE)
			.send().get(10, TimeUnit.SECONDS);
		this.client.subscribeWith().topicFilter(LatencyBenchmark.replyTopic(name())).qos(MqttQos.AT_LEAST_ONCE)
			.send().get(10, TimeUnit.SECONDS);
	}

	private void onMessage(Mqtt5Publish publish) {
		String topic = publish.getTopic().toString();
		byte[] payload = publish.getPayloadAsBytes();
		if (topic.startsWith("bench/raw/q")) {
			this.sink.accept(payload[0]);
		}
		else if (topic.equals(LatencyBenchmark.requestTopic(name()))) {
			this.requestReceived = System.nanoTime();
			this.client.publishWith()
				.topic(LatencyBenchmark.replyTopic(name()))
				.qos(MqttQos.AT_LEAST_ONCE)
				.payload(payload)
				.send();
		}
		else {
			CompletableFuture<Long> reply = this.pendingReply.getAndSet(null);
			if (reply != null) {
				reply.complete(System.nanoTime());
			}
		}
	}

	@Override
	public void publish(int count, int qos, byte[] payload) {
		String topic = Contender.topic(name(), qos);
		MqttQos mqttQos = MqttQos.fromCode(qos);
		for (int i = 0; i < count; i++) {
			this.client.publishWith().topic(topic).qos(mqttQos).payload(payload).send();
		}
	}

	/**
	 * Publish to a topic nobody subscribes to, for the publish-only throughput benchmark.
	 * @return a future completed when every publish completed (QoS 0: written, QoS 1: PUBACK)
	 */
	CompletableFuture<Void> publishOnly(String topic, int count, int qos, byte[] payload) {
		MqttQos mqttQos = MqttQos.fromCode(qos);
		CountDown done = new CountDown(count);
		for (int i = 0; i < count; i++) {
			this.client.publishWith().topic(topic).qos(mqttQos).payload(payload).send()
				.whenComplete((result, ex) -> done.countDown(ex));
		}
		return done.future();
	}

	/**
	 * Send a request and wait for the reply of the request-reply loop.
	 * @return the round-trip time in nanoseconds
	 */
	long roundTrip(byte[] payload) throws Exception {
		CompletableFuture<Long> reply = new CompletableFuture<>();
		this.pendingReply.set(reply);
		long start = System.nanoTime();
		this.client.publishWith()
			.topic(LatencyBenchmark.requestTopic(name()))
			.qos(MqttQos.AT_LEAST_ONCE)
			.payload(payload)
			.send();
		long end = reply.get(10, TimeUnit.SECONDS);
		this.lastRequestLeg = this.requestReceived - start;
		return end - start;
	}

	/**
	 * Return the first leg of the last round trip: publish until the request callback ran.
	 */
	long lastRequestLeg() {
		return this.lastRequestLeg;
	}

	@Override
	public void close() throws Exception {
		if (this.client != null) {
			this.client.disconnect().get(10, TimeUnit.SECONDS);
		}
	}

}
