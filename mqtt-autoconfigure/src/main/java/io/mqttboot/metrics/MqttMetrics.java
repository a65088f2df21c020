package io.mqttboot.metrics;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttInFlightTracker;
import io.mqttboot.core.MqttPullBuffers;
import io.mqttboot.core.MqttReplyCorrelator;
import io.mqttboot.core.MqttUnroutedMessages;
import io.mqttboot.listener.MqttListenerContainer;

/**
 * Binds meters that read the state of every MQTT client and listener:
 * <ul>
 * <li>{@code mqtt.messages.published} (client, qos, outcome) and
 * {@code mqtt.messages.received} (client, qos) counters;</li>
 * <li>{@code mqtt.inflight} (client, direction, qos), {@code mqtt.inflight.queued} (client:
 * the outgoing ones held back in the client by the broker's receive maximum, a part of
 * {@code mqtt.inflight{direction=outgoing}}), {@code mqtt.outbox} (client) and
 * {@code mqtt.connected} (client) gauges;</li>
 * <li>{@code mqtt.reconnects} (client), {@code mqtt.messages.dropped} (client),
 * {@code mqtt.messages.given-up} (client), {@code mqtt.messages.downgraded} (client) and
 * {@code mqtt.inbound.failures} (client) counters;</li>
 * <li>{@code mqtt.messages.filtered} (client) counter of messages a listener's
 * {@code MqttMessageFilter} rejected, acknowledged without invoking the listener;</li>
 * <li>{@code mqtt.messages.unrouted} (client, reason) counter of received messages that no
 * listener wanted, acknowledged without processing: {@code reason=merged-subscription}
 * when a wider merged subscription brought them (expected), {@code reason=no-subscription}
 * when they match no subscription the client wants (a leftover of an earlier run of a
 * persistent session, for example).</li>
 * <li>{@code mqtt.requests} (client, outcome = reply | timeout) counter and
 * {@code mqtt.requests.pending} (client) gauge of MQTT 5 requests;
 * {@code mqtt.replies.dropped} (client, reason = late | unknown | no-response-topic)
 * counter of replies that reached no one;</li>
 * <li>{@code mqtt.receive.buffered} (client) gauge and {@code mqtt.receive.overflow}
 * (client) counter of the {@code receive()} buffers.</li>
 * </ul>
 * Listener durations ({@code mqtt.listener.duration}) come from the listener observation.
 * Tags never carry concrete topic names, which would explode cardinality.
 *
 * @since 0.1.0
 */
public class MqttMetrics implements MeterBinder {

	// One description for both outcomes: registries such as Prometheus keep one per name.
	private static final String PUBLISHED_DESCRIPTION = "Messages published, by outcome: success (acknowledged;"
			+ " QoS 0: written) or failure (could not be published)";

	private final MqttClientRegistry clients;

	private final @Nullable MqttListenerEndpointRegistry listeners;

	/**
	 * Create the binder.
	 * @param clients the clients
	 * @param listeners the listener registry, if listeners are in use
	 */
	public MqttMetrics(MqttClientRegistry clients, @Nullable MqttListenerEndpointRegistry listeners) {
		this.clients = clients;
		this.listeners = listeners;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (String name : this.clients.getClientNames()) {
			bindClient(registry, this.clients.getClientManager(name));
		}
	}

	private double dropped(MqttClientManager client) {
		// Summed when read, so that listeners registered after binding count too.
		MqttListenerEndpointRegistry listeners = this.listeners;
		return (listeners != null) ? listeners.getListenerContainers(client.getName())
			.stream()
			.mapToLong(MqttListenerContainer::getDropped)
			.sum() : 0;
	}

	private double filtered(MqttClientManager client) {
		MqttListenerEndpointRegistry listeners = this.listeners;
		return (listeners != null) ? listeners.getListenerContainers(client.getName())
			.stream()
			.mapToLong(MqttListenerContainer::getFiltered)
			.sum() : 0;
	}

	private void bindClient(MeterRegistry registry, MqttClientManager client) {
		Tags tags = Tags.of("client", client.getName());
		for (int qos = 0; qos <= 2; qos++) {
			int q = qos;
			Tags qosTags = tags.and("qos", Integer.toString(qos));
			FunctionCounter.builder("mqtt.messages.published", client, (c) -> c.getPublishedCount(q))
				.description(PUBLISHED_DESCRIPTION)
				.tags(qosTags.and("outcome", "success"))
				.register(registry);
			FunctionCounter.builder("mqtt.messages.published", client, (c) -> c.getPublishFailedCount(q))
				.description(PUBLISHED_DESCRIPTION)
				.tags(qosTags.and("outcome", "failure"))
				.register(registry);
			FunctionCounter.builder("mqtt.messages.received", client, (c) -> c.getReceivedCount(q))
				.description("Messages received from the broker")
				.tags(qosTags)
				.register(registry);
		}
		inFlight(registry, client, tags, "outgoing", "1", MqttInFlightTracker::getOutgoingQos1);
		inFlight(registry, client, tags, "outgoing", "2", MqttInFlightTracker::getOutgoingQos2);
		inFlight(registry, client, tags, "incoming", "1", MqttInFlightTracker::getIncomingQos1);
		inFlight(registry, client, tags, "incoming", "2", MqttInFlightTracker::getIncomingQos2);
		Gauge.builder("mqtt.inflight.queued", client.getInFlight(), MqttInFlightTracker::getOutgoingQueued)
			.description("Outgoing QoS 1/2 messages held back in the client because the broker's receive maximum "
					+ "is reached; counted in mqtt.inflight{direction=outgoing} too")
			.tags(tags)
			.register(registry);
		Gauge.builder("mqtt.outbox", client, MqttClientManager::getOutboxSize)
			.description("Messages waiting in the outbox for the connection")
			.tags(tags)
			.register(registry);
		Gauge.builder("mqtt.connected", client, (c) -> c.isConnected() ? 1 : 0)
			.description("Whether the client is connected (1) or not (0)")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.messages.dropped", client, this::dropped)
			.description("QoS 0 messages dropped because a listener queue was full")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.messages.filtered", client, this::filtered)
			.description("Messages a listener's filter rejected, acknowledged without processing")
			.tags(tags)
			.register(registry);
		FunctionCounter
			.builder("mqtt.messages.unrouted", client.getUnroutedMessages(),
					MqttUnroutedMessages::getMergedSubscriptionCount)
			.description("Received messages that no listener wanted, acknowledged without processing")
			.tags(tags.and("reason", "merged-subscription"))
			.register(registry);
		FunctionCounter
			.builder("mqtt.messages.unrouted", client.getUnroutedMessages(),
					MqttUnroutedMessages::getNoSubscriptionCount)
			.description("Received messages that no listener wanted, acknowledged without processing")
			.tags(tags.and("reason", "no-subscription"))
			.register(registry);
		FunctionCounter.builder("mqtt.messages.given-up", client, MqttClientManager::getPublishGivenUpCount)
			.description("Messages given up because the broker answered each by ending the connection "
					+ "several times in a row; their publish futures failed")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.messages.downgraded", client, MqttClientManager::getPublishDowngradedCount)
			.description("Messages published with a lower QoS than asked for (mqtt.publish.max-qos or the "
					+ "broker's Maximum QoS)")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.inbound.failures", client, MqttClientManager::getInboundFailureCount)
			.description("Times the flow of incoming messages ended unexpectedly and was renewed")
			.tags(tags)
			.register(registry);
		MqttReplyCorrelator replies = client.getReplyCorrelator();
		FunctionCounter.builder("mqtt.requests", replies, MqttReplyCorrelator::getCompletedCount)
			.description("MQTT 5 requests of MqttTemplate.sendAndReceive by outcome")
			.tags(tags.and("outcome", "reply"))
			.register(registry);
		FunctionCounter.builder("mqtt.requests", replies, MqttReplyCorrelator::getTimeoutCount)
			.description("MQTT 5 requests of MqttTemplate.sendAndReceive by outcome")
			.tags(tags.and("outcome", "timeout"))
			.register(registry);
		Gauge.builder("mqtt.requests.pending", replies, MqttReplyCorrelator::getPendingCount)
			.description("MQTT 5 requests waiting for their reply")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.replies.dropped", replies, MqttReplyCorrelator::getLateReplyCount)
			.description("Replies dropped: arrived after their request timed out")
			.tags(tags.and("reason", "late"))
			.register(registry);
		FunctionCounter.builder("mqtt.replies.dropped", replies, MqttReplyCorrelator::getUnknownReplyCount)
			.description("Replies dropped: no or unknown correlation data")
			.tags(tags.and("reason", "unknown"))
			.register(registry);
		FunctionCounter.builder("mqtt.replies.dropped", replies, MqttReplyCorrelator::getUndeliverableReplyCount)
			.description("Listener return values dropped: no response topic and no @SendTo")
			.tags(tags.and("reason", "no-response-topic"))
			.register(registry);
		MqttPullBuffers pull = client.getPullBuffers();
		Gauge.builder("mqtt.receive.buffered", pull, MqttPullBuffers::getBufferedCount)
			.description("Messages waiting for MqttTemplate.receive")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.receive.overflow", pull, MqttPullBuffers::getOverflowCount)
			.description("Messages acknowledged and dropped because their receive() buffer was full")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("mqtt.reconnects", client, MqttClientManager::getReconnectCount)
			.description("Connections re-established after a loss")
			.tags(tags)
			.register(registry);
	}

	private static void inFlight(MeterRegistry registry, MqttClientManager client, Tags tags, String direction,
			String qos, ToDoubleFunction<MqttInFlightTracker> value) {
		Gauge.builder("mqtt.inflight", client.getInFlight(), value)
			.description("QoS 1/2 messages in flight: outgoing not yet completed, incoming not yet acknowledged")
			.tags(tags.and("direction", direction, "qos", qos))
			.register(registry);
	}

}
