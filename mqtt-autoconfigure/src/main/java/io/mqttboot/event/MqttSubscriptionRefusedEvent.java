package io.mqttboot.event;

/**
 * Published when the broker refused a subscription, for example because an ACL denies the
 * topic filter (SUBACK reason code 0x80 or above [MQTT-3.9.3]). Other subscriptions and the
 * connection are unaffected.
 *
 * @since 0.1.0
 */
public class MqttSubscriptionRefusedEvent extends MqttClientEvent {

	private final String filter;

	private final int reasonCode;

	/**
	 * Create a new event.
	 * @param source the publishing component
	 * @param clientName the configured client name
	 * @param clientId the MQTT client identifier
	 * @param filter the refused topic filter
	 * @param reasonCode the SUBACK reason code
	 */
	public MqttSubscriptionRefusedEvent(Object source, String clientName, String clientId, String filter,
			int reasonCode) {
		super(source, clientName, clientId);
		this.filter = filter;
		this.reasonCode = reasonCode;
	}

	/**
	 * Return the refused topic filter.
	 * @return the filter
	 */
	public String getFilter() {
		return this.filter;
	}

	/**
	 * Return the SUBACK reason code.
	 * @return the reason code, 0x80 or above
	 */
	public int getReasonCode() {
		return this.reasonCode;
	}

	@Override
	public String toString() {
		return "MqttSubscriptionRefusedEvent[client=" + getClientName() + ", filter=" + this.filter + ", reasonCode=0x"
				+ Integer.toHexString(this.reasonCode) + "]";
	}

}
