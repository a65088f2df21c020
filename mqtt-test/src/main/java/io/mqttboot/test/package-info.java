/**
 * Test support for MQTT: a real broker per test class ({@link io.mqttboot.test.MqttBrokerTest},
 * {@link io.mqttboot.test.MqttBrokerExtension}), a Moquette fallback when mosquitto is not
 * installed, and a TCP proxy that injects network faults ({@link io.mqttboot.test.FaultProxy}).
 *
 * @since 0.1.0
 */
@NullMarked
package io.mqttboot.test;

import org.jspecify.annotations.NullMarked;
