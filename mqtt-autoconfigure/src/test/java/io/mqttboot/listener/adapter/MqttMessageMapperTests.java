package io.mqttboot.listener.adapter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.TestReceivedMessages;
import io.mqttboot.support.MqttHeaders;
import org.junit.jupiter.api.Test;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.GenericMessage;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.map;

/**
 * {@link MqttMessageMapper}: the mapped message builds its headers on first access; what
 * it exposes must be what an eagerly built message had.
 */
class MqttMessageMapperTests {

	private static final byte[] CORRELATION = { 1, 2, 3 };

	private static final Map<String, String> VARIABLES = Map.of("deviceId", "d-7");

	private final byte[] payload = "21.5".getBytes(StandardCharsets.UTF_8);

	private final MqttReceivedMessage received = TestReceivedMessages.create("sensors", "devices/d-7/temp",
			this.payload, 1, true,
			List.of(Map.entry("unit", "celsius"), Map.entry("site", "north"), Map.entry("unit", "kelvin"),
					Map.entry(MqttHeaders.RECEIVED_TOPIC, "spoofed")),
			"application/json", "replies/d-7", CORRELATION, Duration.ofSeconds(60), () -> {
			});

	@Test
	void topicVariableParametersShouldResolveWithoutBuildingTheHeaders() throws Exception {
		Message<byte[]> message = MqttMessageMapper.toMessage(this.received, VARIABLES);
		MethodParameter deviceId = new MethodParameter(
				MqttMessageMapperTests.class.getDeclaredMethod("onTemp", String.class, Integer.class), 0);
		MethodParameter number = new MethodParameter(
				MqttMessageMapperTests.class.getDeclaredMethod("onTemp", String.class, Integer.class), 1);
		TopicVariableMethodArgumentResolver resolver = new TopicVariableMethodArgumentResolver();
		assertThat(resolver.resolveArgument(deviceId, message)).isEqualTo("d-7");
		// Building the header map for one variable was most of what a @TopicVariable listener
		// allocated per message (benchmark B11).
		assertThat(ReflectionTestUtils.getField(message, "headers")).isNull();
		Message<byte[]> numbered = MqttMessageMapper.toMessage(this.received, Map.of("n", "42"));
		assertThat(resolver.resolveArgument(number, numbered)).isEqualTo(42);
	}

	@Test
	void topicVariableParametersNamedByTheParameterNameShouldEachResolveTheirOwnVariableOnEveryMessage()
			throws Exception {
		Method method = MqttMessageMapperTests.class.getDeclaredMethod("onRoom", String.class, String.class);
		MethodParameter site = new MethodParameter(method, 0);
		MethodParameter room = new MethodParameter(method, 1);
		TopicVariableMethodArgumentResolver resolver = new TopicVariableMethodArgumentResolver();
		for (String n : List.of("1", "2")) {
			// As spring-messaging does before each invocation.
			site.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
			room.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
			Message<byte[]> message = MqttMessageMapper.toMessage(this.received,
					Map.of("site", "north-" + n, "room", "kitchen-" + n));
			assertThat(resolver.resolveArgument(site, message)).isEqualTo("north-" + n);
			assertThat(resolver.resolveArgument(room, message)).isEqualTo("kitchen-" + n);
		}
	}

	@SuppressWarnings("unused")
	private void onRoom(@TopicVariable String site, @TopicVariable String room) {
	}

	@SuppressWarnings("unused")
	private void onTemp(@TopicVariable("deviceId") String deviceId, @TopicVariable("n") Integer n) {
	}

	@Test
	void payloadShouldBeTheReceivedArrayAsIs() {
		Message<byte[]> message = MqttMessageMapper.toMessage(this.received, VARIABLES);
		assertThat(message.getPayload()).isSameAs(this.payload);
	}

	@Test
	void headersShouldHoldEveryMqttPropertyAndNoIdOrTimestamp() {
		MessageHeaders headers = MqttMessageMapper.toMessage(this.received, VARIABLES).getHeaders();
		assertThat(headers).containsOnlyKeys(MqttHeaders.RECEIVED_TOPIC, MqttHeaders.RECEIVED_QOS,
				MqttHeaders.RECEIVED_RETAINED, MqttHeaders.DUPLICATE, MqttHeaders.CLIENT, MqttHeaders.RECEIVED_MESSAGE,
				MessageHeaders.CONTENT_TYPE, MqttHeaders.RESPONSE_TOPIC, MqttHeaders.CORRELATION_DATA,
				MqttHeaders.MESSAGE_EXPIRY_INTERVAL, MqttHeaders.USER_PROPERTIES, MqttHeaders.TOPIC_VARIABLES, "unit",
				"site", MqttHeaders.USER_PROPERTY_PREFIX + MqttHeaders.RECEIVED_TOPIC);
		// A user property never overrides an MQTT header; the first of repeated keys is
		// the header, the full list keeps the last value per key in order.
		assertThat(headers).containsEntry(MqttHeaders.RECEIVED_TOPIC, "devices/d-7/temp")
			.containsEntry(MqttHeaders.RECEIVED_QOS, 1)
			.containsEntry(MqttHeaders.RECEIVED_RETAINED, true)
			.containsEntry(MqttHeaders.DUPLICATE, false)
			.containsEntry(MqttHeaders.CLIENT, "sensors")
			.containsEntry(MessageHeaders.CONTENT_TYPE, "application/json")
			.containsEntry(MqttHeaders.RESPONSE_TOPIC, "replies/d-7")
			.containsEntry(MqttHeaders.MESSAGE_EXPIRY_INTERVAL, 60L)
			.containsEntry(MqttHeaders.TOPIC_VARIABLES, VARIABLES)
			.containsEntry("unit", "celsius")
			.containsEntry("site", "north")
			.containsEntry(MqttHeaders.USER_PROPERTY_PREFIX + MqttHeaders.RECEIVED_TOPIC, "spoofed");
		assertThat(headers.get(MqttHeaders.RECEIVED_MESSAGE)).isSameAs(this.received);
		assertThat(headers.get(MqttHeaders.CORRELATION_DATA)).isSameAs(CORRELATION);
		assertThat(headers.get(MqttHeaders.USER_PROPERTIES)).asInstanceOf(map(String.class, String.class))
			.containsExactly(Map.entry("unit", "kelvin"), Map.entry("site", "north"),
					Map.entry(MqttHeaders.RECEIVED_TOPIC, "spoofed"));
		assertThat(headers.getId()).isNull();
		assertThat(headers.getTimestamp()).isNull();
		assertThat(headers).doesNotContainKeys(MessageHeaders.ID, MessageHeaders.TIMESTAMP);
	}

	@Test
	void userPropertiesWithReservedNamesShouldBeHeadersUnderThePrefixAndLeaveIdTimestampAndContentTypeAlone() {
		MqttReceivedMessage reserved = TestReceivedMessages.create("default", "a/b", this.payload, 1, false,
				List.of(Map.entry("id", "peer-id"), Map.entry("timestamp", "yesterday"),
						Map.entry("contentType", "text/peer"), Map.entry("replyChannel", "anyChannelBean"),
						Map.entry("errorChannel", "nullChannel"), Map.entry(MqttHeaders.TOPIC, "elsewhere"),
						Map.entry("site", "north")),
				null, null, null, null, () -> {
				});
		MessageHeaders headers = MqttMessageMapper.toMessage(reserved, null).getHeaders();
		assertThat(headers.getId()).isNull();
		assertThat(headers.getTimestamp()).isNull();
		assertThat(headers).doesNotContainKeys(MessageHeaders.ID, MessageHeaders.TIMESTAMP,
				MessageHeaders.CONTENT_TYPE, MessageHeaders.REPLY_CHANNEL, MessageHeaders.ERROR_CHANNEL,
				MqttHeaders.TOPIC);
		assertThat(headers).containsEntry("mqtt_userProperty_id", "peer-id")
			.containsEntry("mqtt_userProperty_timestamp", "yesterday")
			.containsEntry("mqtt_userProperty_contentType", "text/peer")
			.containsEntry("mqtt_userProperty_replyChannel", "anyChannelBean")
			.containsEntry("mqtt_userProperty_errorChannel", "nullChannel")
			.containsEntry("mqtt_userProperty_mqtt_topic", "elsewhere")
			.containsEntry("site", "north");
		assertThat(headers.get(MqttHeaders.USER_PROPERTIES)).asInstanceOf(map(String.class, String.class))
			.containsEntry("id", "peer-id")
			.containsEntry("contentType", "text/peer")
			.containsEntry(MqttHeaders.TOPIC, "elsewhere");
	}

	@Test
	void mqttContentTypeShouldStayTheContentTypeHeaderNextToAUserPropertyOfThatName() {
		MqttReceivedMessage both = TestReceivedMessages.create("default", "a/b", this.payload, 1, false,
				List.of(Map.entry("contentType", "text/peer")), "application/json", null, null, null, () -> {
				});
		MessageHeaders headers = MqttMessageMapper.toMessage(both, null).getHeaders();
		assertThat(headers).containsEntry(MessageHeaders.CONTENT_TYPE, "application/json")
			.containsEntry("mqtt_userProperty_contentType", "text/peer");
	}

	@Test
	void headersOfAMinimalMessageShouldHoldOnlyWhatIsSet() {
		MqttReceivedMessage minimal = MqttReceivedMessage.of("a/b", new byte[0], 0);
		MessageHeaders headers = MqttMessageMapper.toMessage(minimal, null).getHeaders();
		assertThat(headers).containsOnlyKeys(MqttHeaders.RECEIVED_TOPIC, MqttHeaders.RECEIVED_QOS,
				MqttHeaders.RECEIVED_RETAINED, MqttHeaders.DUPLICATE, MqttHeaders.CLIENT, MqttHeaders.RECEIVED_MESSAGE);
		assertThat(headers).containsEntry(MqttHeaders.RECEIVED_QOS, 0).containsEntry(MqttHeaders.RECEIVED_RETAINED, false);
	}

	@Test
	void headersShouldBeBuiltOnceAndThenReused() {
		Message<byte[]> message = MqttMessageMapper.toMessage(this.received, VARIABLES);
		MessageHeaders first = message.getHeaders();
		assertThat(message.getHeaders()).isSameAs(first);
	}

	@Test
	void equalsAndHashCodeShouldMatchASecondMappingOfTheSameMessage() {
		Message<byte[]> message = MqttMessageMapper.toMessage(this.received, VARIABLES);
		Message<byte[]> same = MqttMessageMapper.toMessage(this.received, VARIABLES);
		// One with its headers already built, one without.
		message.getHeaders();
		assertThat(message).isEqualTo(same).hasSameHashCodeAs(same);
		assertThat(same).isEqualTo(message);
		assertThat(message).isEqualTo(message);
		assertThat(message).isNotEqualTo(MqttMessageMapper.toMessage(this.received, Map.of("deviceId", "d-8")))
			.isNotEqualTo(MqttMessageMapper.toMessage(this.received, null))
			.isNotEqualTo(MqttMessageMapper.toMessage(MqttReceivedMessage.of("devices/d-7/temp", this.payload, 1),
					VARIABLES))
			.isNotEqualTo(null)
			.isNotEqualTo("21.5");
	}

	@Test
	void toStringShouldShowThePayloadSizeAndTheHeaders() {
		String string = MqttMessageMapper.toMessage(this.received, VARIABLES).toString();
		assertThat(string).contains("payload=byte[" + this.payload.length + "]")
			.contains(MqttHeaders.RECEIVED_TOPIC + "=devices/d-7/temp")
			.contains(MqttHeaders.RECEIVED_QOS + "=1");
	}

	@Test
	void javaSerializationShouldGiveAGenericMessageWithThePayloadAndTheSerializableHeaders() throws Exception {
		Message<byte[]> message = MqttMessageMapper.toMessage(this.received, VARIABLES);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(message);
		}
		Object copy;
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
			copy = in.readObject();
		}
		assertThat(copy).isInstanceOf(GenericMessage.class);
		GenericMessage<?> generic = (GenericMessage<?>) copy;
		assertThat(generic.getPayload()).isEqualTo(this.payload);
		MessageHeaders headers = generic.getHeaders();
		assertThat(headers).containsEntry(MqttHeaders.RECEIVED_TOPIC, "devices/d-7/temp")
			.containsEntry(MqttHeaders.RECEIVED_QOS, 1)
			.containsEntry(MqttHeaders.RECEIVED_RETAINED, true)
			.containsEntry(MqttHeaders.DUPLICATE, false)
			.containsEntry(MqttHeaders.CLIENT, "sensors")
			.containsEntry(MessageHeaders.CONTENT_TYPE, "application/json")
			.containsEntry(MqttHeaders.RESPONSE_TOPIC, "replies/d-7")
			.containsEntry(MqttHeaders.MESSAGE_EXPIRY_INTERVAL, 60L)
			.containsEntry(MqttHeaders.TOPIC_VARIABLES, VARIABLES)
			.containsEntry(MqttHeaders.USER_PROPERTIES,
					Map.of("unit", "kelvin", "site", "north", MqttHeaders.RECEIVED_TOPIC, "spoofed"))
			.containsEntry("unit", "celsius")
			.containsEntry("site", "north");
		assertThat(headers.get(MqttHeaders.CORRELATION_DATA)).isEqualTo(CORRELATION);
		// The received message is tied to a connection and not serializable.
		assertThat(headers).doesNotContainKey(MqttHeaders.RECEIVED_MESSAGE);
	}

}
