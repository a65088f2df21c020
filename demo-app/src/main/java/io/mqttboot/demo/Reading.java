package io.mqttboot.demo;

import java.time.Instant;

/**
 * One sensor reading, published as JSON to {@code sensors/{deviceId}/{metric}}.
 *
 * @param deviceId the device that measured the value
 * @param metric what was measured: {@code temperature} (°C) or {@code humidity} (%)
 * @param value the measured value
 * @param at when the value was measured
 * @since 0.1.0
 */
public record Reading(String deviceId, String metric, double value, Instant at) {

}
