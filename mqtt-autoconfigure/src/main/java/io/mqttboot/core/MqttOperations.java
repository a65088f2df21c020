package io.mqttboot.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * Operations to publish MQTT messages, to make MQTT 5 requests and to pull messages. Implemented by {@link MqttTemplate}; not meant to
 * be implemented by applications except as test doubles.
 * <p>
 * Topic names are validated before any I/O: no wildcards [MQTT-3.3.2-2], 1 to 65,535 UTF-8
 * bytes [MQTT-4.7.3-1], no U+0000 [MQTT-4.7.3-2]. Payloads are converted by the configured
 * {@link io.mqttboot.support.converter.MqttMessageConverter}: {@code byte[]} as is,
 * {@code String} as UTF-8, anything else as JSON.
 *
 * @since 0.1.0
 */
public interface MqttOperations {

	/**
	 * Publish with the default QoS and retain flag ({@code mqtt.publish.*}) and wait for
	 * the broker's acknowledgement (QoS 0: until written) up to
	 * {@code mqtt.publish.timeout}.
	 * @param topic the topic name
	 * @param payload the payload
	 * @return the publish result
	 * @throws IllegalArgumentException if the topic name is invalid
	 * @throws MqttPublishException if publishing failed or timed out
	 */
	MqttPublishResult publish(String topic, Object payload);

	/**
	 * Publish with the default QoS and retain flag without blocking.
	 * @param topic the topic name
	 * @param payload the payload
	 * @return a future completed on PUBACK (QoS 1), PUBCOMP (QoS 2) or write (QoS 0), or
	 * completed exceptionally with an {@link MqttPublishException} (for example an
	 * {@link MqttOutboxFullException})
	 * @throws IllegalArgumentException if the topic name is invalid
	 */
	CompletableFuture<MqttPublishResult> publishAsync(String topic, Object payload);

	/**
	 * Publish an MQTT 5 request and wait for its reply: the request carries this client's
	 * reply topic as its response topic and fresh correlation data, and the reply is the
	 * first message on the reply topic with the same correlation data.
	 * @param topic the topic name of the request
	 * @param payload the request payload
	 * @param timeout how long to wait for the reply
	 * @return the reply, already acknowledged
	 * @throws MqttRequestTimeoutException if no reply arrived within the timeout
	 * @throws MqttPublishException if the request could not be published
	 * @throws MqttException if the client speaks MQTT 3.1.1, which has no request/reply
	 * @since 0.1.0
	 */
	MqttReceivedMessage sendAndReceive(String topic, Object payload, Duration timeout);

	/**
	 * Publish an MQTT 5 request, wait for its reply and convert the reply payload, see
	 * {@link #sendAndReceive(String, Object, Duration)}.
	 * @param <T> the reply type
	 * @param topic the topic name of the request
	 * @param payload the request payload
	 * @param type the type to convert the reply payload to
	 * @param timeout how long to wait for the reply
	 * @return the converted reply
	 * @throws MqttRequestTimeoutException if no reply arrived within the timeout
	 * @throws MqttException if the reply carries the {@code mqtt-error} user property (the
	 * responder failed), or the client speaks MQTT 3.1.1
	 * @since 0.1.0
	 */
	<T> T convertSendAndReceive(String topic, Object payload, Class<T> type, Duration timeout);

	/**
	 * Publish an MQTT 5 request without blocking, see
	 * {@link #sendAndReceive(String, Object, Duration)}.
	 * @param topic the topic name of the request
	 * @param payload the request payload
	 * @param timeout how long to wait for the reply
	 * @return a future completed with the reply, or exceptionally with an
	 * {@link MqttRequestTimeoutException} or {@link MqttPublishException}
	 * @throws MqttException if the client speaks MQTT 3.1.1, which has no request/reply
	 * @since 0.1.0
	 */
	CompletableFuture<MqttReceivedMessage> sendAndReceiveAsync(String topic, Object payload, Duration timeout);

	/**
	 * Return the next message on a topic filter, waiting up to the timeout: the pull
	 * counterpart of listeners, as Paho's {@code MQTTClient_receive}. The first call for a
	 * filter subscribes to it (QoS 1) on this template's connection; the subscription and a
	 * bounded buffer stay for later calls. The message is acknowledged when it is returned.
	 * @param topicFilter the topic filter (not shared)
	 * @param timeout how long to wait
	 * @return the message, or {@code null} if none arrived in time
	 * @throws IllegalArgumentException if the topic filter is invalid
	 * @since 0.1.0
	 */
	@Nullable MqttReceivedMessage receive(String topicFilter, Duration timeout);

	/**
	 * Return the payload of the next message on a topic filter, converted, see
	 * {@link #receive(String, Duration)}.
	 * @param <T> the payload type
	 * @param topicFilter the topic filter (not shared)
	 * @param type the type to convert the payload to
	 * @param timeout how long to wait
	 * @return the converted payload, or {@code null} if no message arrived in time
	 * @since 0.1.0
	 */
	<T> @Nullable T receiveAndConvert(String topicFilter, Class<T> type, Duration timeout);

	/**
	 * Start building a message with more options.
	 * @param payload the payload
	 * @return a builder; set at least the {@link PublishBuilder#topic(String) topic}
	 */
	PublishBuilder newMessage(Object payload);

	/**
	 * Builder of one message. Not thread-safe; create one per message.
	 */
	interface PublishBuilder {

		/**
		 * Set the topic name.
		 * @param topic the topic name
		 * @return this builder
		 * @throws IllegalArgumentException if the topic name is invalid
		 */
		PublishBuilder topic(String topic);

		/**
		 * Set the QoS.
		 * @param qos 0 (at most once), 1 (at least once) or 2 (exactly once)
		 * @return this builder
		 * @throws IllegalArgumentException if the QoS is not 0, 1 or 2
		 */
		PublishBuilder qos(int qos);

		/**
		 * Set whether the broker retains the message for future subscribers. An empty
		 * retained payload clears the retained message of the topic [MQTT-3.3.1-6].
		 * @param retain the retain flag
		 * @return this builder
		 */
		PublishBuilder retain(boolean retain);

		/**
		 * Add an MQTT 5 user property. Ignored, with a warning, on MQTT 3.1.1.
		 * @param key the key
		 * @param value the value
		 * @return this builder
		 */
		PublishBuilder userProperty(String key, String value);

		/**
		 * Set the MQTT 5 content type, overriding the one the converter suggests.
		 * @param contentType the content type
		 * @return this builder
		 */
		PublishBuilder contentType(String contentType);

		/**
		 * Set the MQTT 5 response topic for request/response.
		 * @param responseTopic the topic name responders publish to
		 * @return this builder
		 */
		PublishBuilder responseTopic(String responseTopic);

		/**
		 * Set the MQTT 5 correlation data for request/response.
		 * @param correlationData the data
		 * @return this builder
		 */
		PublishBuilder correlationData(byte[] correlationData);

		/**
		 * Set the MQTT 5 message expiry interval.
		 * @param expiry the interval, whole seconds
		 * @return this builder
		 */
		PublishBuilder messageExpiry(Duration expiry);

		/**
		 * Set the MQTT 5 payload format indicator [MQTT-3.3.2.3.2]: {@code true} declares
		 * the payload UTF-8 text, which the broker and receivers may check. Default
		 * {@code false} (unspecified bytes). Ignored on MQTT 3.1.1.
		 * @param utf8Payload whether the payload is UTF-8 text
		 * @return this builder
		 * @since 0.1.0
		 */
		PublishBuilder utf8Payload(boolean utf8Payload);

		/**
		 * Publish and wait for the acknowledgement, see
		 * {@link MqttOperations#publish(String, Object)}.
		 * @return the result
		 * @throws MqttPublishException if publishing failed or timed out
		 */
		MqttPublishResult publish();

		/**
		 * Publish without blocking, see {@link MqttOperations#publishAsync(String, Object)}.
		 * @return the future result
		 */
		CompletableFuture<MqttPublishResult> publishAsync();

	}

}
