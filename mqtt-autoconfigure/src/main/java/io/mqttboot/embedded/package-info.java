/**
 * An embedded MQTT broker (Moquette) for demos and local development.
 */
@NullMarked
package io.mqttboot.embedded;

import org.jspecify.annotations.NullMarked;
