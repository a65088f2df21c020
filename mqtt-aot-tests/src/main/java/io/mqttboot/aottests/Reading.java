package io.mqttboot.aottests;

/**
 * A JSON payload bound to a record, which a native image can only construct with the
 * reflection hints the AOT processing contributes.
 *
 * @param sensor the sensor name
 * @param celsius the temperature
 */
public record Reading(String sensor, double celsius) {
}
