/**
 * A small application with an {@code @MqttListener}, a JSON record payload, the
 * {@code mqtt} endpoint and health, processed ahead of time by the build.
 */
@NullMarked
package io.mqttboot.aottests;

import org.jspecify.annotations.NullMarked;
