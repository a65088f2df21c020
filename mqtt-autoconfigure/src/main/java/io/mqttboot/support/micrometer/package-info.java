/**
 * Micrometer Observation names and keys for publish (producer) and listener (consumer)
 * observations that time MQTT operations and carry W3C trace context across the broker
 * as MQTT 5 user properties.
 */
@NullMarked
package io.mqttboot.support.micrometer;

import org.jspecify.annotations.NullMarked;
