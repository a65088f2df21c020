/**
 * Health indicator for MQTT clients.
 */
@NullMarked
package io.mqttboot.health;

import org.jspecify.annotations.NullMarked;
