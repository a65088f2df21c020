package io.mqttboot.listener.adapter;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.listener.BatchMqttMessageListener;
import io.mqttboot.listener.MqttListenerExecutionFailedException;
import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.GenericMessage;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;

/**
 * Invokes an annotated batch listener method, whose only parameter is a {@code List<T>}
 * of converted payloads, a {@code List<Message<T>>} (payload converted, headers as for a
 * single message) or a {@code List<MqttReceivedMessage>}.
 *
 * @since 0.1.0
 */
public class BatchMessagingMqttMessageListenerAdapter implements BatchMqttMessageListener {

	private final String listenerId;

	private final InvocableHandlerMethod handlerMethod;

	private final MqttMessageConverter converter;

	private final ElementKind kind;

	private final Type payloadType;

	/**
	 * Create an adapter.
	 * @param listenerId the listener id
	 * @param handlerMethod the method to invoke
	 * @param converter converts each payload
	 * @throws IllegalArgumentException if the method does not have exactly one
	 * {@code List} parameter
	 */
	public BatchMessagingMqttMessageListenerAdapter(String listenerId, InvocableHandlerMethod handlerMethod,
			MqttMessageConverter converter) {
		this.listenerId = listenerId;
		this.handlerMethod = handlerMethod;
		this.converter = converter;
		MethodParameter[] parameters = handlerMethod.getMethodParameters();
		if (parameters.length != 1 || !List.class.equals(parameters[0].getParameterType())) {
			throw new IllegalArgumentException("a batch listener method must have exactly one parameter, a List<T>,"
					+ " List<Message<T>> or List<MqttReceivedMessage>, but " + handlerMethod.getShortLogMessage()
					+ " has " + parameters.length + " parameters");
		}
		ResolvableType element = ResolvableType.forMethodParameter(parameters[0]).getGeneric(0);
		Class<?> elementClass = element.resolve(Object.class);
		if (MqttReceivedMessage.class.equals(elementClass)) {
			this.kind = ElementKind.RECEIVED_MESSAGE;
			this.payloadType = byte[].class;
		}
		else if (Message.class.equals(elementClass)) {
			this.kind = ElementKind.MESSAGE;
			ResolvableType payload = element.getGeneric(0);
			this.payloadType = (payload.resolve(Object.class) != Object.class) ? payload.getType() : byte[].class;
		}
		else {
			this.kind = ElementKind.PAYLOAD;
			this.payloadType = (elementClass != Object.class) ? element.getType() : byte[].class;
		}
	}

	@Override
	public void onMessages(List<MqttReceivedMessage> messages) {
		List<Object> arguments = new ArrayList<>(messages.size());
		MqttReceivedMessage current = messages.get(0);
		try {
			for (MqttReceivedMessage message : messages) {
				current = message;
				arguments.add(convert(message));
			}
			current = messages.get(0);
			this.handlerMethod.invoke(MqttMessageMapper.toMessage(current, null), arguments);
		}
		catch (Exception ex) {
			throw new MqttListenerExecutionFailedException(this.listenerId, current.getTopic(), ex);
		}
	}

	private Object convert(MqttReceivedMessage message) {
		return switch (this.kind) {
			case RECEIVED_MESSAGE -> message;
			case MESSAGE -> new GenericMessage<>(payload(message), MqttMessageMapper.toMessage(message, null).getHeaders());
			case PAYLOAD -> payload(message);
		};
	}

	private Object payload(MqttReceivedMessage message) {
		return (this.payloadType == byte[].class) ? message.getPayload()
				: this.converter.fromPayload(message.getPayload(), this.payloadType);
	}

	@Override
	public String toString() {
		return "BatchMessagingMqttMessageListenerAdapter[" + this.listenerId + " -> "
				+ this.handlerMethod.getShortLogMessage() + "]";
	}

	private enum ElementKind {

		PAYLOAD, MESSAGE, RECEIVED_MESSAGE

	}

}
