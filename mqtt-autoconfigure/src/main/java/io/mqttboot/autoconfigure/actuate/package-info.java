/**
 * Auto-configuration of the MQTT actuator endpoint and sanitizing of MQTT secrets.
 */
@NullMarked
package io.mqttboot.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
