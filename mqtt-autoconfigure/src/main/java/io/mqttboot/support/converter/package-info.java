/**
 * Payload conversion between application objects and MQTT payload bytes.
 */
@NullMarked
package io.mqttboot.support.converter;

import org.jspecify.annotations.NullMarked;
