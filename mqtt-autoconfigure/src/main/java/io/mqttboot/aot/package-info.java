/**
 * Ahead-of-time processing support: runtime hints for {@code @MqttListener} methods and
 * their payload types.
 */
@NullMarked
package io.mqttboot.aot;

import org.jspecify.annotations.NullMarked;
