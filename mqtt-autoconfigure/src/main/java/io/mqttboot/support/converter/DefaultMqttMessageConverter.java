package io.mqttboot.support.converter;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Default {@link MqttMessageConverter}: {@code byte[]} and {@link ByteBuffer} as they are,
 * {@link CharSequence} as UTF-8, anything else as JSON with the application's
 * {@link JsonMapper}.
 *
 * @since 0.1.0
 */
public class DefaultMqttMessageConverter implements MqttMessageConverter {

	private static final String JSON = "application/json";

	private final @Nullable JsonMapper jsonMapper;

	/**
	 * Create a new converter.
	 * @param jsonMapper the mapper for JSON payloads, or {@code null} to support only bytes
	 * and text
	 */
	public DefaultMqttMessageConverter(@Nullable JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	@Override
	public byte[] toPayload(Object payload) {
		if (payload instanceof byte[] bytes) {
			return bytes;
		}
		if (payload instanceof CharSequence text) {
			return text.toString().getBytes(StandardCharsets.UTF_8);
		}
		if (payload instanceof ByteBuffer buffer) {
			byte[] bytes = new byte[buffer.remaining()];
			buffer.duplicate().get(bytes);
			return bytes;
		}
		JsonMapper mapper = requireJsonMapper(payload.getClass().getName());
		try {
			return mapper.writeValueAsBytes(payload);
		}
		catch (JacksonException ex) {
			throw new MqttMessageConversionException(
					"Cannot write payload of type " + payload.getClass().getName() + " as JSON: " + ex.getOriginalMessage(),
					ex);
		}
	}

	@Override
	public @Nullable String getContentType(Object payload) {
		return (payload instanceof byte[] || payload instanceof CharSequence || payload instanceof ByteBuffer) ? null
				: JSON;
	}

	@Override
	public Object fromPayload(byte[] payload, Type targetType) {
		if (targetType == byte[].class || targetType == Object.class) {
			return payload;
		}
		if (targetType == String.class) {
			return decodeUtf8(payload);
		}
		if (targetType == ByteBuffer.class) {
			return ByteBuffer.wrap(payload).asReadOnlyBuffer();
		}
		JsonMapper mapper = requireJsonMapper(targetType.getTypeName());
		if (payload.length == 0) {
			throw new MqttMessageConversionException(
					"Cannot read an empty payload as JSON " + targetType.getTypeName(), null);
		}
		try {
			return mapper.readValue(payload, mapper.getTypeFactory().constructType(targetType));
		}
		catch (JacksonException ex) {
			throw new MqttMessageConversionException("Cannot read payload of " + payload.length + " bytes as JSON "
					+ targetType.getTypeName() + ": " + ex.getOriginalMessage(), ex);
		}
	}

	private static String decodeUtf8(byte[] payload) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(payload))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new MqttMessageConversionException(
					"Cannot read payload of " + payload.length + " bytes as a String: it is not valid UTF-8", ex);
		}
	}

	private JsonMapper requireJsonMapper(String typeName) {
		if (this.jsonMapper == null) {
			throw new MqttMessageConversionException("Cannot convert " + typeName
					+ " without a JSON mapper: use byte[] or String payloads, or add Jackson (spring-boot-jackson)",
					null);
		}
		return this.jsonMapper;
	}

}
