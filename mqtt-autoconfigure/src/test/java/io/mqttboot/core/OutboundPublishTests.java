package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packet size arithmetic of {@link OutboundPublish} [MQTT-3.3], checked against hand-counted
 * packets. (The exact boundary against mosquitto's {@code max_packet_size} is checked in
 * {@code BadInputIntegrationTests}.)
 */
class OutboundPublishTests {

	@ParameterizedTest(name = "topic {0}, QoS {1}, payload {2} bytes, MQTT {3} -> {4} bytes")
	@CsvSource({
			// 1 fixed header + 1 remaining length + 2 topic length + 1 topic + payload
			"a, 0, 0, 3, 5", "a, 0, 10, 3, 15",
			// + 2 packet identifier
			"a, 1, 10, 3, 17",
			// a remaining length of 128 needs two bytes, 127 one
			"a, 0, 125, 3, 131", "a, 0, 124, 3, 129",
			// MQTT 5: + 1 property length
			"a, 1, 10, 5, 18",
			// multi-byte UTF-8 topic: 'ä' is two bytes
			"ä, 0, 0, 3, 6" })
	void packetSizeShouldCountEveryByteOfThePublishPacket(String topic, int qos, int payload, int version,
			long expected) {
		OutboundPublish publish = new OutboundPublish(topic, new byte[payload], qos, false, List.of(), null, null, null,
				null);
		MqttVersion mqttVersion = (version == 5) ? MqttVersion.MQTT_5_0 : MqttVersion.MQTT_3_1_1;
		assertThat(publish.packetSize(mqttVersion)).isEqualTo(expected);
	}

	@ParameterizedTest(name = "MQTT 5 properties -> {0} bytes")
	@CsvSource({ "25" })
	void packetSizeShouldCountMqtt5Properties(long expected) {
		// 1 + 1 + 2 + 1 topic + 1 property length + (3 + 4 content type 'text') + (5 + 1 + 1
		// user property k=v) + 5 message expiry = 25, payload empty, QoS 0.
		OutboundPublish publish = new OutboundPublish("a", new byte[0], 0, false, List.of(Map.entry("k", "v")),
				"text", null, null, Duration.ofSeconds(1));
		assertThat(publish.packetSize(MqttVersion.MQTT_5_0)).isEqualTo(expected);
		assertThat(publish.packetSize(MqttVersion.MQTT_3_1_1)).isEqualTo(5);
	}

}
