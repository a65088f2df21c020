/**
 * Application events published by the managed MQTT clients.
 */
@NullMarked
package io.mqttboot.event;

import org.jspecify.annotations.NullMarked;
