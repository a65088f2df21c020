package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Creates {@link MqttReceivedMessage}s with every property set, for tests outside this
 * package ({@link MqttReceivedMessage#of} only sets topic, payload and QoS).
 */
public final class TestReceivedMessages {

	private TestReceivedMessages() {
	}

	/**
	 * Create a received message.
	 * @param clientName the client name
	 * @param topic the topic name
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retained the retain flag
	 * @param userProperties the user properties, in order
	 * @param contentType the content type or {@code null}
	 * @param responseTopic the response topic or {@code null}
	 * @param correlationData the correlation data or {@code null}
	 * @param messageExpiry the message expiry or {@code null}
	 * @param acknowledgement run on the first acknowledgement
	 * @return the message
	 */
	public static MqttReceivedMessage create(String clientName, String topic, byte[] payload, int qos,
			boolean retained, List<Map.Entry<String, String>> userProperties, @Nullable String contentType,
			@Nullable String responseTopic, byte @Nullable [] correlationData, @Nullable Duration messageExpiry,
			Runnable acknowledgement) {
		return new MqttReceivedMessage(clientName, topic, payload, qos, retained, userProperties, contentType,
				responseTopic, correlationData, messageExpiry, acknowledgement);
	}

}
