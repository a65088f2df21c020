/**
 * Auto-configuration for MQTT.
 */
@NullMarked
package io.mqttboot.autoconfigure;

import org.jspecify.annotations.NullMarked;
