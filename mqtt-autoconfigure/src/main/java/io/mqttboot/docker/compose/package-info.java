/**
 * Docker Compose service connection for MQTT brokers.
 */
@NullMarked
package io.mqttboot.docker.compose;

import org.jspecify.annotations.NullMarked;
