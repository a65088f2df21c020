package io.mqttboot.test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

/**
 * A raw HiveMQ MQTT 5 client for tests: records what it receives and how often it lost its
 * connection.
 */
final class TestClient implements AutoCloseable {

	private final Mqtt5BlockingClient client;

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final AtomicInteger disconnects = new AtomicInteger();

	private TestClient(Mqtt5ClientBuilder builder) {
		this.client = builder.addDisconnectedListener((context) -> this.disconnects.incrementAndGet()).buildBlocking();
		// Registered before connecting, so messages a resumed session delivers at once are not missed.
		this.client.toAsync()
			.publishes(MqttGlobalPublishFilter.ALL, (publish) -> this.received
				.add(publish.getTopic() + "=" + new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)));
	}

	static TestClient to(String url) {
		return to(url, "test-" + UUID.randomUUID());
	}

	static TestClient to(String url, String clientId) {
		return new TestClient(builder(url, clientId));
	}

	static TestClient reconnectingTo(String url) {
		return new TestClient(builder(url, "test-" + UUID.randomUUID()).automaticReconnect()
			.initialDelay(50, TimeUnit.MILLISECONDS)
			.maxDelay(200, TimeUnit.MILLISECONDS)
			.applyAutomaticReconnect());
	}

	private static Mqtt5ClientBuilder builder(String url, String clientId) {
		String hostAndPort = url.substring("tcp://".length());
		int colon = hostAndPort.lastIndexOf(':');
		return MqttClient.builder()
			.useMqttVersion5()
			.identifier(clientId)
			.serverHost(hostAndPort.substring(0, colon))
			.serverPort(Integer.parseInt(hostAndPort.substring(colon + 1)));
	}

	Mqtt5BlockingClient mqtt() {
		return this.client;
	}

	TestClient connect() {
		this.client.connect();
		return this;
	}

	TestClient subscribe(String topicFilter) {
		// Bounded: a broker that never answers must fail the test, not hang the build.
		await(this.client.toAsync().subscribeWith().topicFilter(topicFilter).qos(MqttQos.AT_LEAST_ONCE).send(),
				"SUBACK for " + topicFilter);
		return this;
	}

	void publish(String topic, String payload) {
		await(publishAsync(topic, payload), "PUBACK for " + topic);
	}

	private static <T> T await(CompletableFuture<T> future, String what) {
		try {
			return future.get(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted waiting for " + what, ex);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			// As the blocking client does: the broker's answer (a refusal, for example) itself.
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw new IllegalStateException("Failed waiting for " + what, ex);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new IllegalStateException("No " + what + " within 30 s", ex);
		}
	}

	CompletableFuture<Mqtt5PublishResult> publishAsync(String topic, String payload) {
		return this.client.toAsync()
			.publishWith()
			.topic(topic)
			.qos(MqttQos.AT_LEAST_ONCE)
			.payload(payload.getBytes(StandardCharsets.UTF_8))
			.send();
	}

	List<String> received() {
		return this.received;
	}

	int disconnects() {
		return this.disconnects.get();
	}

	boolean isConnected() {
		return this.client.getState().isConnected();
	}

	@Override
	public void close() {
		if (this.client.getState().isConnected()) {
			try {
				this.client.disconnect();
			}
			catch (RuntimeException ex) {
				// Already going away, which is all close() asks for.
			}
		}
		else {
			// Stops automatic reconnect attempts.
			this.client.toAsync().disconnect();
		}
	}

	@Override
	public String toString() {
		return this.client.getConfig().getClientIdentifier().map(Object::toString).orElse("?") + " received "
				+ this.received.stream().collect(Collectors.joining(", ", "[", "]"));
	}

}
