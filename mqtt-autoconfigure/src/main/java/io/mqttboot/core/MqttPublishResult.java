package io.mqttboot.core;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a successful publish: for QoS 0 the message was written to the network,
 * for QoS 1 the broker sent PUBACK, for QoS 2 PUBCOMP.
 *
 * @param topic the topic name the message was published to
 * @param qos the QoS the message was published with
 * @param retain whether the message was published as retained
 * @param reasonCode the MQTT 5 reason code of the PUBACK or PUBREC ({@code 0} for success,
 * {@code 16} for "no matching subscribers"); always {@code 0} for QoS 0 and MQTT 3.1.1
 * @param reasonString the MQTT 5 reason string the broker sent, if any
 * @since 0.1.0
 */
public record MqttPublishResult(String topic, int qos, boolean retain, int reasonCode, @Nullable String reasonString) {

}
