/**
 * Micrometer meters for MQTT clients and listeners.
 */
@NullMarked
package io.mqttboot.metrics;

import org.jspecify.annotations.NullMarked;
