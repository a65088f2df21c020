package io.mqttboot.integration;

import org.jspecify.annotations.Nullable;

import io.mqttboot.config.MqttListenerContainerFactory;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.config.SimpleMqttListenerEndpoint;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.listener.adapter.MqttMessageMapper;

import org.springframework.integration.endpoint.MessageProducerSupport;
import org.springframework.util.Assert;

/**
 * Spring Integration inbound channel adapter on a managed client: subscribes to topic
 * filters through the {@link MqttListenerEndpointRegistry} and sends each message, payload
 * {@code byte[]} with the {@link io.mqttboot.support.MqttHeaders}, to the output channel.
 * <p>
 * Unlike spring-integration-mqtt's Paho adapters it opens no connection of its own: it
 * shares the client's, with the same guarantees as {@code @MqttListener} — ordered per
 * topic, QoS 1/2 acknowledged after the flow returned (so use a direct channel, or the
 * acknowledgement only means "handed over").
 *
 * @since 0.1.0
 */
public class MqttMessageDrivenChannelAdapter extends MessageProducerSupport {

	private final MqttListenerEndpointRegistry registry;

	private final MqttListenerContainerFactory containerFactory;

	private final String[] topics;

	private String clientName = MqttClientRegistry.DEFAULT_CLIENT;

	private int qos = 1;

	private @Nullable String group;

	private @Nullable MqttListenerContainer container;

	/**
	 * Create an adapter.
	 * @param registry the listener registry
	 * @param containerFactory the factory for the adapter's container
	 * @param topics the topic filters
	 */
	public MqttMessageDrivenChannelAdapter(MqttListenerEndpointRegistry registry,
			MqttListenerContainerFactory containerFactory, String... topics) {
		Assert.notEmpty(topics, "At least one topic filter is required");
		this.registry = registry;
		this.containerFactory = containerFactory;
		this.topics = topics.clone();
	}

	/**
	 * Set the client to receive with.
	 * @param clientName the client name, {@code default} by default
	 */
	public void setClientName(String clientName) {
		this.clientName = clientName;
	}

	/**
	 * Set the maximum QoS of the subscriptions.
	 * @param qos 0, 1 or 2, default 1
	 */
	public void setQos(int qos) {
		this.qos = qos;
	}

	/**
	 * Set a share group to subscribe with shared subscriptions.
	 * @param group the group or {@code null}
	 */
	public void setGroup(@Nullable String group) {
		this.group = group;
	}

	@Override
	public String getComponentType() {
		return "mqtt:inbound-channel-adapter";
	}

	@Override
	protected void onInit() {
		super.onInit();
		SimpleMqttListenerEndpoint endpoint = new SimpleMqttListenerEndpoint();
		String name = getComponentName();
		endpoint.setId((name != null) ? name : "mqtt-inbound-" + Integer.toHexString(System.identityHashCode(this)));
		endpoint.setClientName(this.clientName);
		endpoint.setTopics(this.topics);
		endpoint.setQos(this.qos);
		endpoint.setGroup(this.group);
		endpoint.setAutoStartup(false);
		endpoint.setMessageListener((message) -> sendMessage(MqttMessageMapper.toMessage(message, null)));
		this.container = this.registry.registerListenerContainer(endpoint, this.containerFactory, false);
	}

	@Override
	protected void doStart() {
		Assert.state(this.container != null, "Not initialized");
		this.container.start();
	}

	@Override
	protected void doStop() {
		if (this.container != null) {
			this.container.stop();
		}
	}

}
