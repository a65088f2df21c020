package io.mqttboot.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Operations to publish MQTT messages. Implemented by {@link MqttTemplate}; not meant to
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
