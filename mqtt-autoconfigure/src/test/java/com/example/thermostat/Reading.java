package com.example.thermostat;

/**
 * A temperature reading, published and received as JSON.
 *
 * @param celsius the temperature in degrees Celsius
 */
record Reading(double celsius) {
}
