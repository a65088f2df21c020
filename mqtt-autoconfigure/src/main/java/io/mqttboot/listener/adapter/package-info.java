/**
 * Adapters that invoke annotated listener methods through spring-messaging.
 */
@NullMarked
package io.mqttboot.listener.adapter;

import org.jspecify.annotations.NullMarked;
