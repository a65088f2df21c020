/**
 * Spring Integration endpoints on the managed MQTT clients: an inbound channel adapter
 * running as a listener container and an outbound message handler publishing through
 * {@link io.mqttboot.core.MqttTemplate}, so flows share the application's one connection.
 */
@NullMarked
package io.mqttboot.integration;

import org.jspecify.annotations.NullMarked;
