/**
 * Actuator endpoint showing MQTT clients, in-flight messages, subscriptions and listeners.
 */
@NullMarked
package io.mqttboot.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
