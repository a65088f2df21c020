package io.mqttboot.demo;

import java.time.Instant;

/**
 * A reading that crossed its threshold, published as JSON to {@code alerts/{deviceId}}
 * (QoS 2) by {@link ThresholdMonitor}.
 *
 * @param deviceId the device whose reading crossed the threshold
 * @param metric the metric, such as {@code temperature}
 * @param value the reading that crossed the threshold
 * @param threshold the threshold it crossed
 * @param at when the value was measured
 * @since 0.1.0
 */
public record Alert(String deviceId, String metric, double value, double threshold, Instant at) {

}
