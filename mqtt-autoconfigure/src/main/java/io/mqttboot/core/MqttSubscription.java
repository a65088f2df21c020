package io.mqttboot.core;

import io.mqttboot.support.MqttTopics;

/**
 * One subscription as sent to the broker in a SUBSCRIBE packet.
 *
 * @param filter the topic filter, possibly a shared one ({@code $share/group/filter})
 * @param qos the maximum QoS the broker may deliver with
 * @param noLocal MQTT 5: do not receive messages this client published [MQTT-3.8.3-3]
 * @param retainAsPublished MQTT 5: keep the retain flag as published [MQTT-3.3.1-12]
 * @param retainHandling MQTT 5: 0 send retained messages on subscribe, 1 only for a new
 * subscription, 2 never [MQTT-3.3.1-9..11]
 * @since 0.1.0
 */
public record MqttSubscription(String filter, int qos, boolean noLocal, boolean retainAsPublished,
		int retainHandling) {

	/**
	 * Validate the components.
	 * @param filter the topic filter
	 * @param qos the maximum QoS
	 * @param noLocal the no-local option
	 * @param retainAsPublished the retain-as-published option
	 * @param retainHandling the retain handling option
	 */
	public MqttSubscription {
		MqttTopics.validateTopicFilter(filter);
		MqttClientSettings.checkQos(qos, "Subscription QoS of '" + filter + "'");
		if (retainHandling < 0 || retainHandling > 2) {
			throw new IllegalArgumentException("Retain handling of subscription '" + filter
					+ "' must be 0, 1 or 2 but was " + retainHandling + " [MQTT-3.8.3-4]");
		}
		if (noLocal && filter.startsWith(MqttTopics.SHARE_PREFIX)) {
			throw new IllegalArgumentException(
					"No-local must not be set on the shared subscription '" + filter + "' [MQTT-3.8.3-4]");
		}
	}

	/**
	 * Create a subscription with default options.
	 * @param filter the topic filter
	 * @param qos the maximum QoS
	 * @return the subscription
	 */
	public static MqttSubscription of(String filter, int qos) {
		return new MqttSubscription(filter, qos, false, false, 0);
	}

	/**
	 * Return whether this subscription has the same options as another, ignoring filter and
	 * QoS.
	 * @param other the other subscription
	 * @return whether the options are equal
	 */
	public boolean hasSameOptions(MqttSubscription other) {
		return this.noLocal == other.noLocal && this.retainAsPublished == other.retainAsPublished
				&& this.retainHandling == other.retainHandling;
	}

}
