package io.mqttboot.listener;

import io.mqttboot.core.MqttReceivedMessage;

/**
 * Decides, before a listener runs, whether it should process a message. A message the
 * filter rejects is acknowledged without invoking the listener and counted (the
 * {@code mqtt.messages.filtered} meter and the {@code filtered} field of the listener on
 * the {@code mqtt} actuator endpoint), so it is never silently gone. Declare one as a
 * bean and name it in {@code @MqttListener(filter = "beanName")}, or set it on a
 * programmatic endpoint.
 * <p>
 * Called on the listener's worker thread, never on the network thread. A filter that
 * throws rejects nothing: the message is passed to the listener and the failure logged.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface MqttMessageFilter {

	/**
	 * Return whether the listener should process the message.
	 * @param message the message
	 * @return {@code true} to process it, {@code false} to acknowledge it unprocessed
	 */
	boolean accept(MqttReceivedMessage message);

}
