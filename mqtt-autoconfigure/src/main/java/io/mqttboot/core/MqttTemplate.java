package io.mqttboot.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.support.MqttTopics;
import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.util.Assert;

/**
 * Publishes messages through one managed client. Thread-safe: share one instance.
 * <p>
 * Calls never block the network threads; the blocking variants wait on the calling
 * thread, which may be a listener thread.
 *
 * @since 0.1.0
 */
public class MqttTemplate implements MqttOperations {

	private static final Log logger = LogFactory.getLog(MqttTemplate.class);

	private final MqttClientManager manager;

	private final MqttMessageConverter converter;

	private volatile boolean warnedMqtt5Properties;

	/**
	 * Create a template.
	 * @param manager the client to publish with
	 * @param converter the payload converter
	 */
	public MqttTemplate(MqttClientManager manager, MqttMessageConverter converter) {
		this.manager = manager;
		this.converter = converter;
	}

	/**
	 * Return the client this template publishes with.
	 * @return the client manager
	 */
	public MqttClientManager getClientManager() {
		return this.manager;
	}

	@Override
	public MqttPublishResult publish(String topic, Object payload) {
		return newMessage(payload).topic(topic).publish();
	}

	@Override
	public CompletableFuture<MqttPublishResult> publishAsync(String topic, Object payload) {
		return newMessage(payload).topic(topic).publishAsync();
	}

	@Override
	public PublishBuilder newMessage(Object payload) {
		Assert.notNull(payload, "Payload must not be null; publish an empty byte[] for an empty message");
		return new DefaultPublishBuilder(payload);
	}

	private CompletableFuture<MqttPublishResult> send(OutboundPublish publish) {
		if (publish.hasMqtt5Properties() && this.manager.getSettings().getVersion() == MqttVersion.MQTT_3_1_1
				&& !this.warnedMqtt5Properties) {
			this.warnedMqtt5Properties = true;
			logger.warn("MQTT client '" + this.manager.getName()
					+ "' speaks MQTT 3.1.1: user properties, content type, response topic, correlation data and"
					+ " message expiry are not sent (first seen on topic '" + publish.topic() + "')");
		}
		return this.manager.publish(publish);
	}

	private MqttPublishResult await(CompletableFuture<MqttPublishResult> future, String topic, int qos) {
		Duration timeout = this.manager.getSettings().getPublishTimeout();
		try {
			return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MqttPublishException(topic, "Interrupted while publishing to topic '" + topic + "'", ex);
		}
		catch (TimeoutException ex) {
			throw new MqttPublishException(topic,
					"Timed out after " + timeout.toMillis() + " ms waiting for " + ((qos == 0) ? "the write" : "the broker's acknowledgement")
							+ " of a QoS " + qos + " message to topic '" + topic + "' (MQTT client '"
							+ this.manager.getName() + "', state " + this.manager.getState()
							+ "); it stays queued and may still be delivered",
					ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new MqttPublishException(topic, "Failed to publish to topic '" + topic + "'", cause);
		}
	}

	private final class DefaultPublishBuilder implements PublishBuilder {

		private final Object payload;

		private @Nullable String topic;

		private int qos = MqttTemplate.this.manager.getSettings().getDefaultQos();

		private boolean retain = MqttTemplate.this.manager.getSettings().isDefaultRetain();

		private final List<Map.Entry<String, String>> userProperties = new ArrayList<>(0);

		private @Nullable String contentType;

		private @Nullable String responseTopic;

		private byte @Nullable [] correlationData;

		private @Nullable Duration messageExpiry;

		DefaultPublishBuilder(Object payload) {
			this.payload = payload;
		}

		@Override
		public PublishBuilder topic(String topic) {
			MqttTopics.validateTopicName(topic);
			this.topic = topic;
			return this;
		}

		@Override
		public PublishBuilder qos(int qos) {
			MqttClientSettings.checkQos(qos, "QoS");
			this.qos = qos;
			return this;
		}

		@Override
		public PublishBuilder retain(boolean retain) {
			this.retain = retain;
			return this;
		}

		@Override
		public PublishBuilder userProperty(String key, String value) {
			Assert.notNull(key, "User property key must not be null");
			Assert.notNull(value, "User property value must not be null");
			this.userProperties.add(Map.entry(key, value));
			return this;
		}

		@Override
		public PublishBuilder contentType(String contentType) {
			this.contentType = contentType;
			return this;
		}

		@Override
		public PublishBuilder responseTopic(String responseTopic) {
			MqttTopics.validateTopicName(responseTopic);
			this.responseTopic = responseTopic;
			return this;
		}

		@Override
		public PublishBuilder correlationData(byte[] correlationData) {
			this.correlationData = correlationData.clone();
			return this;
		}

		@Override
		public PublishBuilder messageExpiry(Duration expiry) {
			Assert.isTrue(!expiry.isNegative(), "Message expiry must not be negative");
			this.messageExpiry = expiry;
			return this;
		}

		@Override
		public MqttPublishResult publish() {
			OutboundPublish publish = build();
			return await(send(publish), publish.topic(), publish.qos());
		}

		@Override
		public CompletableFuture<MqttPublishResult> publishAsync() {
			return send(build());
		}

		private OutboundPublish build() {
			String topic = this.topic;
			Assert.state(topic != null, "No topic set: call topic(String) before publishing");
			MqttMessageConverter converter = MqttTemplate.this.converter;
			byte[] bytes = converter.toPayload(this.payload);
			String contentType = this.contentType;
			if (contentType == null
					&& MqttTemplate.this.manager.getSettings().getVersion() == MqttVersion.MQTT_5_0) {
				contentType = converter.getContentType(this.payload);
			}
			return new OutboundPublish(topic, bytes, this.qos, this.retain, List.copyOf(this.userProperties),
					contentType, this.responseTopic, this.correlationData, this.messageExpiry);
		}

	}

}
