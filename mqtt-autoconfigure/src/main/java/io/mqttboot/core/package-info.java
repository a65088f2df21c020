/**
 * Core MQTT infrastructure: the managed client connection, {@link io.mqttboot.core.MqttTemplate} and in-flight tracking.
 */
@NullMarked
package io.mqttboot.core;

import org.jspecify.annotations.NullMarked;
