/**
 * Protocol-level support types with no dependency on Spring or the MQTT client: topic name and
 * topic filter validation, wildcard matching, listener topic templates and the topic trie used to
 * dispatch incoming messages.
 *
 * @since 0.1.0
 */
@NullMarked
package io.mqttboot.support;

import org.jspecify.annotations.NullMarked;
