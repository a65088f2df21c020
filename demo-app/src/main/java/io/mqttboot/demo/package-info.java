/**
 * Telemetry dashboard demo: simulated sensors publish over MQTT to an embedded broker.
 */
@NullMarked
package io.mqttboot.demo;

import org.jspecify.annotations.NullMarked;
