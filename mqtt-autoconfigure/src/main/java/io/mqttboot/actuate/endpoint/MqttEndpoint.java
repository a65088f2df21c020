package io.mqttboot.actuate.endpoint;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttConnectionState;
import io.mqttboot.core.MqttInFlightTracker;
import io.mqttboot.core.MqttPullBuffers;
import io.mqttboot.core.MqttReplyCorrelator;
import io.mqttboot.core.MqttUnroutedMessages;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code mqtt} actuator endpoint: per client its connection state, the QoS 1 and
 * QoS 2 messages in flight in each direction, the outbox, the subscriptions with the QoS
 * the broker granted, the received messages no listener wanted, and the listeners with their queue and counters. Writes (stopping
 * and starting, pausing and resuming a listener) need
 * {@code management.endpoint.mqtt.access=unrestricted}.
 *
 * @since 0.1.0
 */
@Endpoint(id = "mqtt", defaultAccess = Access.READ_ONLY)
public class MqttEndpoint {

	private final MqttClientRegistry clients;

	private final @Nullable MqttListenerEndpointRegistry listeners;

	/**
	 * Create the endpoint.
	 * @param clients the clients
	 * @param listeners the listener registry, if listeners are in use
	 */
	public MqttEndpoint(MqttClientRegistry clients, @Nullable MqttListenerEndpointRegistry listeners) {
		this.clients = clients;
		this.listeners = listeners;
	}

	/**
	 * Describe all clients.
	 * @return the description
	 */
	@ReadOperation
	public MqttClientsDescriptor clients() {
		Map<String, ClientDescriptor> clients = new LinkedHashMap<>();
		for (String name : this.clients.getClientNames()) {
			clients.put(name, describe(this.clients.getClientManager(name)));
		}
		return new MqttClientsDescriptor(clients);
	}

	/**
	 * Stop or start, pause or resume a listener: {@code POST /actuator/mqtt/{id}} with
	 * {@code {"running": false}} or {@code {"paused": true}}. A paused listener keeps its
	 * subscriptions and takes no messages until resumed.
	 * @param id the listener id
	 * @param running {@code false} to stop, {@code true} to start, {@code null} to leave
	 * as is
	 * @param paused {@code true} to pause, {@code false} to resume, {@code null} to leave
	 * as is
	 * @return the listener after the change, or {@code null} if there is no such listener
	 */
	@WriteOperation
	public @Nullable ListenerDescriptor listener(@Selector String id, @Nullable Boolean running,
			@Nullable Boolean paused) {
		MqttListenerContainer container = (this.listeners != null) ? this.listeners.getListenerContainer(id) : null;
		if (container == null) {
			return null;
		}
		if (paused != null && paused) {
			this.listeners.pause(id);
		}
		if (running != null) {
			if (running) {
				container.start();
			}
			else {
				container.stop();
			}
		}
		if (paused != null && !paused) {
			this.listeners.resume(id);
		}
		return describe(container);
	}

	private ClientDescriptor describe(MqttClientManager client) {
		MqttInFlightTracker inFlight = client.getInFlight();
		MqttUnroutedMessages unrouted = client.getUnroutedMessages();
		List<SubscriptionDescriptor> subscriptions = client.getSubscriptions()
			.stream()
			.map((status) -> new SubscriptionDescriptor(status.filter(), status.requestedQos(), status.grantedQos(),
					status.isRefused()))
			.toList();
		List<ListenerDescriptor> listeners = (this.listeners != null)
				? this.listeners.getListenerContainers(client.getName()).stream().map(this::describe).toList()
				: List.of();
		return new ClientDescriptor(client.getState(), client.getClientId(), client.getServerUri().toString(),
				client.getServerUris().stream().map(URI::toString).toList(),
				client.isSessionPresent(),
				new InFlightDescriptor(inFlight.getOutgoingQos1(), inFlight.getOutgoingQos2(), inFlight.getIncomingQos1(),
						inFlight.getIncomingQos2(), inFlight.getOutgoingSent(), inFlight.getOutgoingQueued(),
						inFlight.getOutgoingWindow()),
				client.getOutboxSize(), client.getReconnectAttempts(), client.getLastDisconnectReason(), subscriptions,
				new UnroutedDescriptor(unrouted.getCount(), unrouted.getMergedSubscriptionCount(),
						unrouted.getNoSubscriptionCount()),
				listeners, describe(client.getReplyCorrelator()), describe(client.getPullBuffers()));
	}

	private static RequestReplyDescriptor describe(MqttReplyCorrelator replies) {
		return new RequestReplyDescriptor(replies.getPendingCount(), replies.getCompletedCount(),
				replies.getTimeoutCount(), replies.getLateReplyCount(), replies.getUnknownReplyCount(),
				replies.getUndeliverableReplyCount());
	}

	private static ReceiveDescriptor describe(MqttPullBuffers pull) {
		return new ReceiveDescriptor(pull.getTopicFilters(), pull.getBufferedCount(), pull.getReceivedCount(),
				pull.getOverflowCount());
	}

	private ListenerDescriptor describe(MqttListenerContainer container) {
		return new ListenerDescriptor(container.getListenerId(),
				container.getSubscriptions().stream().map((subscription) -> subscription.filter()).toList(),
				container.isRunning(), container.isPaused(), container.getQueued(), container.getProcessed(),
				container.getFailed(), container.getDropped(), container.getFiltered());
	}

	/**
	 * All clients by name.
	 *
	 * @param clients the clients
	 */
	public record MqttClientsDescriptor(Map<String, ClientDescriptor> clients) {
	}

	/**
	 * One client.
	 *
	 * @param state the connection state
	 * @param clientId the MQTT client identifier
	 * @param serverUri the broker URI without user-info: the server of {@code serverUris}
	 * the client is connected to or tries next
	 * @param serverUris every broker the client may connect to, tried in turn
	 * @param sessionPresent the CONNACK session-present flag
	 * @param inFlight QoS 1/2 messages in flight
	 * @param outbox messages waiting for the connection
	 * @param reconnectAttempts consecutive failed attempts
	 * @param lastDisconnectReason why the last connection ended
	 * @param subscriptions the subscriptions
	 * @param unrouted received messages that no listener wanted
	 * @param listeners the listeners
	 * @param requestReply MQTT 5 requests and replies of this client
	 * @param receive the buffers of {@code receive()}
	 */
	public record ClientDescriptor(MqttConnectionState state, String clientId, String serverUri,
			List<String> serverUris, boolean sessionPresent, InFlightDescriptor inFlight, int outbox, int reconnectAttempts,
			@Nullable String lastDisconnectReason, List<SubscriptionDescriptor> subscriptions,
			UnroutedDescriptor unrouted, List<ListenerDescriptor> listeners, RequestReplyDescriptor requestReply,
			ReceiveDescriptor receive) {
	}

	/**
	 * MQTT 5 requests of {@code MqttTemplate.sendAndReceive} and replies that reached no
	 * one.
	 *
	 * @param pending requests waiting for their reply
	 * @param replied requests that got their reply
	 * @param timedOut requests that timed out
	 * @param lateReplies replies dropped because their request had timed out
	 * @param unknownReplies replies dropped because their correlation data matched no
	 * request
	 * @param noResponseTopic listener return values dropped: no response topic, no
	 * {@code @SendTo}
	 */
	public record RequestReplyDescriptor(int pending, long replied, long timedOut, long lateReplies,
			long unknownReplies, long noResponseTopic) {
	}

	/**
	 * The buffers of {@code MqttTemplate.receive}.
	 *
	 * @param topicFilters the filters pulled from
	 * @param buffered messages waiting to be received
	 * @param received messages handed out
	 * @param overflow messages acknowledged and dropped because a buffer was full
	 */
	public record ReceiveDescriptor(List<String> topicFilters, int buffered, long received, long overflow) {
	}

	/**
	 * Received messages that no listener wanted, acknowledged without processing.
	 *
	 * @param total all of them
	 * @param mergedSubscription brought by a wider merged subscription (expected)
	 * @param noSubscription matching no subscription the client wants, such as one left
	 * in a persistent session by an earlier run
	 */
	public record UnroutedDescriptor(long total, long mergedSubscription, long noSubscription) {
	}

	/**
	 * QoS 1/2 messages in flight: outgoing ones not yet completed by PUBACK (QoS 1) or
	 * PUBCOMP (QoS 2), incoming ones not yet acknowledged because a listener works on them.
	 *
	 * @param outgoingQos1 outgoing QoS 1
	 * @param outgoingQos2 outgoing QoS 2
	 * @param incomingQos1 incoming QoS 1
	 * @param incomingQos2 incoming QoS 2
	 * @param outgoingSent outgoing QoS 1 and 2 sent and not yet acknowledged (at most
	 * {@code outgoingWindow})
	 * @param outgoingQueued outgoing QoS 1 and 2 held back in the client because the broker's
	 * Receive Maximum is reached
	 * @param outgoingWindow the broker's Receive Maximum (65,535 when it announced none)
	 */
	public record InFlightDescriptor(int outgoingQos1, int outgoingQos2, int incomingQos1, int incomingQos2,
			int outgoingSent, int outgoingQueued, int outgoingWindow) {
	}

	/**
	 * One broker subscription.
	 *
	 * @param filter the topic filter
	 * @param requestedQos the requested QoS
	 * @param grantedQos the granted QoS, {@code null} while pending or when refused
	 * @param refused whether the broker refused it
	 */
	public record SubscriptionDescriptor(String filter, int requestedQos, @Nullable Integer grantedQos,
			boolean refused) {
	}

	/**
	 * One listener.
	 *
	 * @param id the listener id
	 * @param topics its topic filters
	 * @param running whether it runs
	 * @param paused whether it is paused: subscribed, but taking no messages
	 * @param queued messages waiting in its queues
	 * @param processed messages processed
	 * @param failed messages that failed after retries
	 * @param dropped QoS 0 messages dropped on overflow
	 * @param filtered messages its filter rejected, acknowledged unprocessed
	 */
	public record ListenerDescriptor(String id, List<String> topics, boolean running, boolean paused, int queued,
			long processed, long failed, long dropped, long filtered) {
	}

}
