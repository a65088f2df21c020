/**
 * Internal: where the outbox keeps accepted QoS 1 and 2 publishes until the broker acknowledged them (memory or a durable file journal).
 */
@NullMarked
package io.mqttboot.core.outbox;

import org.jspecify.annotations.NullMarked;
