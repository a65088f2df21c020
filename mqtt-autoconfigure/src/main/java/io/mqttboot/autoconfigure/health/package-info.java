/**
 * Auto-configuration of the MQTT health indicator.
 */
@NullMarked
package io.mqttboot.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
