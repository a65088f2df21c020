/**
 * Annotations for declaring MQTT listeners and the processing that turns them into endpoints.
 */
@NullMarked
package io.mqttboot.annotation;

import org.jspecify.annotations.NullMarked;
