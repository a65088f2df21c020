package io.mqttboot.core;

import org.jspecify.annotations.Nullable;

/**
 * What the broker answered to one subscription.
 *
 * @param filter the topic filter
 * @param requestedQos the requested maximum QoS
 * @param grantedQos the granted QoS, or {@code null} while no SUBACK was received or when
 * refused
 * @param reasonCode the SUBACK reason code (0-2 granted QoS, 0x80 and above refused), or
 * {@code null} while pending
 * @since 0.1.0
 */
public record MqttSubscriptionStatus(String filter, int requestedQos, @Nullable Integer grantedQos,
		@Nullable Integer reasonCode) {

	/**
	 * Return whether the broker refused the subscription.
	 * @return {@code true} if refused
	 */
	public boolean isRefused() {
		return this.reasonCode != null && this.reasonCode >= 0x80;
	}

}
