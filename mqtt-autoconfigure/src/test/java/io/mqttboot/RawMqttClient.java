package io.mqttboot;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

/**
 * A plain HiveMQ client used by tests as an independent subscriber and publisher, so
 * that what the starter sends is checked by something other than the starter.
 */
public final class RawMqttClient implements AutoCloseable {

	private final Mqtt5AsyncClient client;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private RawMqttClient(Mqtt5AsyncClient client) {
		this.client = client;
	}

	public static RawMqttClient connect(String host, int port) {
		Mqtt5AsyncClient client = MqttClient.builder()
			.useMqttVersion5()
			.identifier("raw-" + UUID.randomUUID().toString().substring(0, 8))
			.serverHost(host)
			.serverPort(port)
			.buildAsync();
		RawMqttClient raw = new RawMqttClient(client);
		client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, raw::onMessage);
		join(client.connect());
		return raw;
	}

	public RawMqttClient subscribe(String filter, int qos) {
		join(this.client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send());
		return this;
	}

	public void publish(String topic, String payload, int qos, boolean retain) {
		join(this.client.publishWith()
			.topic(topic)
			.payload(payload.getBytes(StandardCharsets.UTF_8))
			.qos(MqttQos.fromCode(qos))
			.retain(retain)
			.send());
	}

	private void onMessage(Mqtt5Publish publish) {
		this.received.add(new Received(publish.getTopic().toString(),
				new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), publish.getQos().getCode(),
				publish.isRetain(), publish));
	}

	public List<Received> received() {
		return this.received;
	}

	public List<String> payloads() {
		return this.received.stream().map(Received::payload).toList();
	}

	private static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
		try {
			return future.get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.client.disconnect().get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// already gone
		}
	}

	public record Received(String topic, String payload, int qos, boolean retain, Mqtt5Publish publish) {
	}

}
