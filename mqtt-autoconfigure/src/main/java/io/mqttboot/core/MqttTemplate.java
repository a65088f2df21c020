package io.mqttboot.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.support.MqttTopics;
import io.mqttboot.support.converter.MqttMessageConverter;
import io.mqttboot.support.micrometer.MqttObservations;

import org.springframework.util.Assert;

/**
 * Publishes messages through one managed client, makes MQTT 5 requests that wait for a
 * reply and pulls messages with {@link #receive(String, Duration)}. Thread-safe: share one
 * instance.
 * <p>
 * Calls never block the network threads; the blocking variants wait on the calling
 * thread, which may be a listener thread.
 *
 * @since 0.1.0
 */
public class MqttTemplate implements MqttOperations {

	private static final Log logger = LogFactory.getLog(MqttTemplate.class);

	/**
	 * The user property a listener with {@code replyOnError} sets on an error reply, with
	 * the exception class as value; the payload is the error message.
	 */
	public static final String ERROR_PROPERTY = "mqtt-error";

	private final MqttClientManager manager;

	private final MqttMessageConverter converter;

	private volatile boolean warnedMqtt5Properties;

	/**
	 * The topic name validated last. Most applications publish to constant topic names;
	 * validating the same string instance again is skipped (compared by identity, so only
	 * a string that was validated is ever skipped).
	 */
	private volatile @Nullable String lastValidatedTopic;

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

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
	 * Set the registry for publish observations: each publish is timed as
	 * {@value MqttObservations#PUBLISH} and, on MQTT 5, carries the trace context as user
	 * properties.
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
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
	public MqttReceivedMessage sendAndReceive(String topic, Object payload, Duration timeout) {
		this.manager.assertNotOnNetworkThread("sendAndReceive to topic '" + topic + "'");
		CompletableFuture<MqttReceivedMessage> reply = sendAndReceiveAsync(topic, payload, timeout);
		try {
			return reply.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			reply.cancel(false);
			throw new MqttException("Interrupted while waiting for the reply to a request to topic '" + topic + "'", ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new MqttException("Request to topic '" + topic + "' failed", cause);
		}
	}

	@Override
	public <T> T convertSendAndReceive(String topic, Object payload, Class<T> type, Duration timeout) {
		MqttReceivedMessage reply = sendAndReceive(topic, payload, timeout);
		for (Map.Entry<String, String> property : reply.getUserProperties()) {
			if (ERROR_PROPERTY.equals(property.getKey())) {
				throw new MqttException("The responder to the request to topic '" + topic + "' replied with an error ("
						+ property.getValue() + "): " + new String(reply.getPayload(), StandardCharsets.UTF_8));
			}
		}
		return type.cast(this.converter.fromPayload(reply.getPayload(), type));
	}

	@Override
	public CompletableFuture<MqttReceivedMessage> sendAndReceiveAsync(String topic, Object payload, Duration timeout) {
		requireMqtt5("sendAndReceive");
		MqttTopics.validateTopicName(topic);
		Assert.notNull(payload, "Payload must not be null; send an empty byte[] for an empty request");
		Assert.isTrue(!timeout.isNegative() && !timeout.isZero(), "Timeout must be positive");
		MqttReplyCorrelator correlator = this.manager.getReplyCorrelator();
		CompletableFuture<String> subscribed = correlator.subscribe();
		MqttReplyCorrelator.PendingRequest request = correlator.register(topic, timeout);
		subscribed.thenCompose((replyTopic) -> newMessage(payload).topic(topic)
			.responseTopic(replyTopic)
			.correlationData(request.correlationData())
			// A request nobody received within the timeout is not worth answering any more.
			.messageExpiry(Duration.ofSeconds((timeout.toMillis() + 999) / 1000))
			.publishAsync()).whenComplete((result, ex) -> {
				if (ex != null) {
					correlator.fail(request, (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex);
				}
			});
		return request.future();
	}

	@Override
	public @Nullable MqttReceivedMessage receive(String topicFilter, Duration timeout) {
		Assert.isTrue(!timeout.isNegative(), "Timeout must not be negative");
		this.manager.assertNotOnNetworkThread("receive from '" + topicFilter + "'");
		try {
			return this.manager.getPullBuffers().receive(topicFilter, timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	@Override
	public <T> @Nullable T receiveAndConvert(String topicFilter, Class<T> type, Duration timeout) {
		MqttReceivedMessage message = receive(topicFilter, timeout);
		return (message != null) ? type.cast(this.converter.fromPayload(message.getPayload(), type)) : null;
	}

	private void requireMqtt5(String operation) {
		if (this.manager.getSettings().getVersion() != MqttVersion.MQTT_5_0) {
			throw new MqttException(operation + " needs MQTT 5: request/reply uses the response topic and correlation"
					+ " data of MQTT 5, but MQTT client '" + this.manager.getName() + "' speaks MQTT 3.1.1 (set "
					+ (MqttClientRegistry.DEFAULT_CLIENT.equals(this.manager.getName()) ? "mqtt.version=5"
							: "mqtt.clients." + this.manager.getName() + ".version=5")
					+ ")");
		}
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
					+ "' speaks MQTT 3.1.1: user properties, content type, response topic, correlation data,"
					+ " message expiry and payload format indicator are not sent (first seen on topic '" + publish.topic() + "')");
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

		private @Nullable List<Map.Entry<String, String>> userProperties;

		private @Nullable String contentType;

		private @Nullable String responseTopic;

		private byte @Nullable [] correlationData;

		private @Nullable Duration messageExpiry;

		private boolean utf8Payload;

		DefaultPublishBuilder(Object payload) {
			this.payload = payload;
		}

		@Override
		public PublishBuilder topic(String topic) {
			if (topic != MqttTemplate.this.lastValidatedTopic) {
				MqttTopics.validateTopicName(topic);
				MqttTemplate.this.lastValidatedTopic = topic;
			}
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
			mutableUserProperties().add(Map.entry(key, value));
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
		public PublishBuilder utf8Payload(boolean utf8Payload) {
			this.utf8Payload = utf8Payload;
			return this;
		}

		@Override
		public MqttPublishResult publish() {
			String topic = requireTopic();
			MqttTemplate.this.manager.assertNotOnNetworkThread("publish to topic '" + topic + "'");
			return await(publishAsync(), topic, this.qos);
		}

		@Override
		public CompletableFuture<MqttPublishResult> publishAsync() {
			ObservationRegistry registry = MqttTemplate.this.observationRegistry;
			if (registry.isNoop()) {
				return send(build());
			}
			return observe(registry);
		}

		private CompletableFuture<MqttPublishResult> observe(ObservationRegistry registry) {
			String topic = requireTopic();
			MqttClientManager manager = MqttTemplate.this.manager;
			boolean mqtt5 = manager.getSettings().getVersion() == MqttVersion.MQTT_5_0;
			// MQTT 3.1.1 has no user properties to carry a trace: time it, do not propagate.
			Observation observation = Observation
				.createNotStarted(MqttObservations.PUBLISH,
						() -> mqtt5 ? new MqttPublishObservationContext(manager.getName(), topic, this.qos,
								mutableUserProperties()) : new Observation.Context(),
						registry)
				.contextualName(topic + " publish")
				.lowCardinalityKeyValue(MqttObservations.SYSTEM, "mqtt")
				.lowCardinalityKeyValue(MqttObservations.CLIENT, manager.getName())
				.lowCardinalityKeyValue(MqttObservations.QOS, Integer.toString(this.qos))
				.highCardinalityKeyValue(MqttObservations.TOPIC, topic)
				.start();
			CompletableFuture<MqttPublishResult> future;
			try {
				future = send(build());
			}
			catch (RuntimeException ex) {
				observation.lowCardinalityKeyValue(MqttObservations.OUTCOME, "failure").error(ex).stop();
				throw ex;
			}
			return future.whenComplete((result, ex) -> {
				if (ex != null) {
					observation.error(ex);
				}
				observation.lowCardinalityKeyValue(MqttObservations.OUTCOME, (ex != null) ? "failure" : "success");
				observation.stop();
			});
		}

		private List<Map.Entry<String, String>> mutableUserProperties() {
			List<Map.Entry<String, String>> userProperties = this.userProperties;
			if (userProperties == null) {
				userProperties = new ArrayList<>(4);
				this.userProperties = userProperties;
			}
			return userProperties;
		}

		private List<Map.Entry<String, String>> userProperties() {
			List<Map.Entry<String, String>> userProperties = this.userProperties;
			return (userProperties != null) ? List.copyOf(userProperties) : List.of();
		}

		private String requireTopic() {
			String topic = this.topic;
			Assert.state(topic != null, "No topic set: call topic(String) before publishing");
			return topic;
		}

		private OutboundPublish build() {
			String topic = requireTopic();
			MqttMessageConverter converter = MqttTemplate.this.converter;
			byte[] bytes = converter.toPayload(this.payload);
			String contentType = this.contentType;
			if (contentType == null
					&& MqttTemplate.this.manager.getSettings().getVersion() == MqttVersion.MQTT_5_0) {
				contentType = converter.getContentType(this.payload);
			}
			return new OutboundPublish(topic, bytes, this.qos, this.retain, userProperties(),
					contentType, this.responseTopic, this.correlationData, this.messageExpiry, this.utf8Payload);
		}

	}

}
