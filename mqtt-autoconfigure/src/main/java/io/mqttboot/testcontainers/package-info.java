/**
 * Testcontainers service connection for MQTT brokers.
 */
@NullMarked
package io.mqttboot.testcontainers;

import org.jspecify.annotations.NullMarked;
