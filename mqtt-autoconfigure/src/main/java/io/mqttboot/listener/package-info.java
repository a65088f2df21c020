/**
 * Listener containers, the message dispatcher and error handling.
 */
@NullMarked
package io.mqttboot.listener;

import org.jspecify.annotations.NullMarked;
