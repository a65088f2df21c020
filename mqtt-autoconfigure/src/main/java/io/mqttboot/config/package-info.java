/**
 * Listener endpoints, their registry and container factories.
 */
@NullMarked
package io.mqttboot.config;

import org.jspecify.annotations.NullMarked;
