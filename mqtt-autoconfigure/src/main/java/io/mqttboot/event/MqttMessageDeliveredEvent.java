package io.mqttboot.event;

/**
 * Published, when {@code mqtt.publish.delivery-events} is enabled, after the broker
 * acknowledged a published message (PUBACK for QoS 1, PUBCOMP for QoS 2; for QoS 0 when it
 * was written): the "delivery complete" callback of classic MQTT clients. The same moment
 * completes the future returned by {@code MqttTemplate.publishAsync}, which is the cheaper
 * way to react to one message; the event suits cross-cutting observers.
 *
 * @since 0.1.0
 */
public class MqttMessageDeliveredEvent extends MqttClientEvent {

	private final String topic;

	private final int qos;

	/**
	 * Create a new event.
	 * @param source the publishing component
	 * @param clientName the configured client name
	 * @param clientId the MQTT client identifier
	 * @param topic the topic name of the message
	 * @param qos the QoS of the message
	 */
	public MqttMessageDeliveredEvent(Object source, String clientName, String clientId, String topic, int qos) {
		super(source, clientName, clientId);
		this.topic = topic;
		this.qos = qos;
	}

	/**
	 * Return the topic name of the delivered message.
	 * @return the topic name
	 */
	public String getTopic() {
		return this.topic;
	}

	/**
	 * Return the QoS of the delivered message.
	 * @return the QoS
	 */
	public int getQos() {
		return this.qos;
	}

}
