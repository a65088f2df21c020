/**
 * Internal: the adapter between the client manager and the MQTT engine (HiveMQ MQTT client), which keeps HiveMQ types out of the public API.
 */
@NullMarked
package io.mqttboot.core.engine;

import org.jspecify.annotations.NullMarked;
