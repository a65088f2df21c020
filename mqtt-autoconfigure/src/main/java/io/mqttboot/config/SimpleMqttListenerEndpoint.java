package io.mqttboot.config;

import org.jspecify.annotations.Nullable;

import io.mqttboot.listener.MqttMessageListener;

import org.springframework.util.Assert;

/**
 * A {@link MqttListenerEndpoint} for programmatic registration with a
 * {@link MqttMessageListener}:
 *
 * <pre class="code">
 * SimpleMqttListenerEndpoint endpoint = new SimpleMqttListenerEndpoint();
 * endpoint.setId("audit");
 * endpoint.setTopics("audit/#");
 * endpoint.setMessageListener((message) -&gt; audit(message.getTopic()));
 * registry.registerListenerContainer(endpoint, factory, true);
 * </pre>
 *
 * @since 0.1.0
 */
public class SimpleMqttListenerEndpoint extends AbstractMqttListenerEndpoint {

	private @Nullable MqttMessageListener messageListener;

	/**
	 * Set the listener to invoke.
	 * @param messageListener the listener
	 */
	public void setMessageListener(MqttMessageListener messageListener) {
		this.messageListener = messageListener;
	}

	@Override
	public MqttMessageListener createMessageListener() {
		Assert.state(this.messageListener != null, () -> "No message listener set for listener '" + getId() + "'");
		return this.messageListener;
	}

}
