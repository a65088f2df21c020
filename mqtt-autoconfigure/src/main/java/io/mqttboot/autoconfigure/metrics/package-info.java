/**
 * Auto-configuration of MQTT metrics.
 */
@NullMarked
package io.mqttboot.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
