package io.mqttboot.listener;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.MqttInboundHandler;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.core.MqttVersion;
import io.mqttboot.support.TopicTrie;

/**
 * Routes every message a client receives to the listener containers whose topic filters
 * match it, using an immutable topic trie (cost grows with the number of topic levels, not
 * with the number of filters). Each matching container receives the message once, however
 * many of its filters match; the message is acknowledged after all of them finished.
 * <p>
 * Keeps the client's broker subscriptions in line with the active containers, see
 * {@link MqttSubscriptionPlanner}. Nothing is unsubscribed on shutdown.
 *
 * @since 0.1.0
 */
public class MqttMessageDispatcher implements MqttInboundHandler {

	private static final Log logger = LogFactory.getLog(MqttMessageDispatcher.class);

	private final MqttClientManager clientManager;

	private final List<ConcurrentMqttListenerContainer> containers = new CopyOnWriteArrayList<>();

	private volatile Routes routes = new Routes(TopicTrie.<ConcurrentMqttListenerContainer>builder().build(),
			TopicTrie.<Boolean>builder().build());

	private volatile boolean shuttingDown;

	private volatile boolean startupComplete;

	private boolean dirty;

	private List<ConcurrentMqttListenerContainer> active = List.of();

	private boolean warnedCleanSession;

	private final Set<String> warnedSharedOverlaps = new HashSet<>();

	/**
	 * Create a dispatcher and register it as the inbound handler of the client.
	 * @param clientManager the client
	 */
	public MqttMessageDispatcher(MqttClientManager clientManager) {
		this.clientManager = clientManager;
		clientManager.setInboundHandler(this);
	}

	/**
	 * Return the client this dispatcher serves.
	 * @return the client manager
	 */
	public MqttClientManager getClientManager() {
		return this.clientManager;
	}

	/**
	 * Add a container; its subscriptions become active if it starts automatically.
	 * @param container the container
	 */
	public void addContainer(ConcurrentMqttListenerContainer container) {
		this.containers.add(container);
		container.setActivationCallback(this::refresh);
		container.setPersistentSession(this.clientManager.getSettings().isPersistentSession());
		container.setReceiveMaximum(sentReceiveMaximum(this.clientManager.getSettings()));
		warnIfCleanSession(container);
		if (this.clientManager.isRunning() || this.startupComplete) {
			refresh();
		}
		else {
			// Wiring the application: plan once for all listeners, see flush().
			this.dirty = true;
		}
	}

	/**
	 * Remove a (stopped) container: the topic filters no other container needs are
	 * unsubscribed, and its topics are no longer routed to it.
	 * @param container the container
	 */
	public synchronized void removeContainer(ConcurrentMqttListenerContainer container) {
		if (this.containers.remove(container)) {
			this.dirty = true;
			if (this.clientManager.isRunning() || this.startupComplete) {
				refresh();
			}
		}
	}

	/**
	 * Apply containers added while the application was being wired, in one planning pass.
	 */
	public synchronized void flush() {
		if (this.dirty) {
			refresh();
		}
	}

	/**
	 * Stop taking messages and stop following container starts and stops: called when the
	 * application shuts down, so that stopping containers never unsubscribes a persistent
	 * session and messages arriving meanwhile stay unacknowledged for redelivery.
	 */
	public void shutdown() {
		this.shuttingDown = true;
	}

	/**
	 * Re-enable subscription maintenance after {@link #shutdown()} (for a restart).
	 */
	public void resume() {
		this.shuttingDown = false;
	}

	private synchronized void refresh() {
		if (this.shuttingDown) {
			return;
		}
		List<ConcurrentMqttListenerContainer> active = new ArrayList<>();
		for (ConcurrentMqttListenerContainer container : this.containers) {
			if (isActive(container)) {
				active.add(container);
			}
		}
		if (!this.dirty && active.equals(this.active)) {
			// Starting containers that already counted as active changes nothing.
			return;
		}
		this.dirty = false;
		this.active = active;
		TopicTrie.Builder<ConcurrentMqttListenerContainer> builder = TopicTrie.builder();
		List<MqttSubscription> requested = new ArrayList<>();
		for (ConcurrentMqttListenerContainer container : active) {
			for (MqttSubscription subscription : container.getSubscriptions()) {
				builder.add(subscription.filter(), container);
				requested.add(subscription);
			}
		}
		List<MqttSubscription> planned = MqttSubscriptionPlanner.plan(requested);
		TopicTrie.Builder<Boolean> subscribed = TopicTrie.builder();
		planned.forEach((subscription) -> subscribed.add(subscription.filter(), Boolean.TRUE));
		this.routes = new Routes(builder.build(), subscribed.build());
		for (String overlap : MqttSubscriptionPlanner.sharedOverlaps(requested)) {
			if (this.warnedSharedOverlaps.add(overlap)) {
				logger.warn("MQTT client '" + this.clientManager.getName() + "' has the shared and plain subscriptions "
						+ overlap + ", which overlap: the broker sends matching messages once per subscription, so"
						+ " both listeners process them twice. Use a separate client (mqtt.clients.<name>) for one"
						+ " of them");
			}
		}
		this.clientManager.setSubscriptions(planned);
	}

	private boolean isActive(ConcurrentMqttListenerContainer container) {
		// The client connects before the containers start: subscribe for the ones that will
		// start, so that no message of a persistent session is missed.
		return container.isRunning() || (container.isAutoStartup() && !this.startupComplete);
	}

	/**
	 * Mark the initial start of all auto-startup containers as done: from now on only
	 * running containers hold subscriptions.
	 */
	public void startupComplete() {
		this.startupComplete = true;
		refresh();
	}

	@Override
	public void onMessage(MqttReceivedMessage message) {
		if (this.shuttingDown) {
			// Stop taking messages, so that the containers drain only what they hold and
			// running handlers finish within the shutdown timeout. QoS 1/2 messages stay
			// unacknowledged: the broker redelivers them to a persistent session (a clean
			// session, like QoS 0, loses them).
			return;
		}
		Routes routes = this.routes;
		List<ConcurrentMqttListenerContainer> matches = routes.match(message.getTopic());
		if (matches.isEmpty()) {
			// A wider merged subscription (expected), or one that no listener needs any more.
			this.clientManager.getUnroutedMessages().record(message, routes.isSubscribed(message.getTopic()));
			message.acknowledge();
			return;
		}
		MqttDelivery delivery = new MqttDelivery(message, matches.size());
		// By index: an iterator over the unmodifiable list cost two objects per message (B11).
		for (int i = 0; i < matches.size(); i++) {
			matches.get(i).enqueue(delivery);
		}
	}

	/**
	 * Return the receive maximum the client sends in CONNECT: MQTT 5 only, and the
	 * protocol default of 65,535 is left out (see HiveMqEngines).
	 * @return the receive maximum, zero if none is sent
	 */
	private static int sentReceiveMaximum(MqttClientSettings settings) {
		int receiveMaximum = settings.getReceiveMaximum();
		return (settings.getVersion() == MqttVersion.MQTT_5_0
				&& receiveMaximum < MqttClientSettings.DEFAULT_RECEIVE_MAXIMUM) ? receiveMaximum : 0;
	}

	private void warnIfCleanSession(ConcurrentMqttListenerContainer container) {
		MqttClientSettings settings = this.clientManager.getSettings();
		boolean persistent = settings.isPersistentSession();
		if (this.warnedCleanSession || (persistent && !settings.isCleanStart())) {
			return;
		}
		if (container.getSubscriptions().stream().anyMatch((subscription) -> subscription.qos() > 0)) {
			this.warnedCleanSession = true;
			if (persistent) {
				// MQTT 5, session expiry above zero, clean start: survives a lost connection only.
				logger.warn("Listener '" + container.getListenerId() + "' subscribes with QoS > 0 on MQTT client '"
						+ this.clientManager.getName() + "', which starts a new session on every application start"
						+ " (mqtt.clean-start=true): a lost connection resumes the session within mqtt.session-expiry ("
						+ settings.getSessionExpiry() + "), but messages published while the application is down are"
						+ " lost. Set mqtt.clean-start=false to keep them");
				return;
			}
			logger.warn("Listener '" + container.getListenerId() + "' subscribes with QoS > 0 on MQTT client '"
					+ this.clientManager.getName() + "', which uses a clean session: messages published while the"
					+ " application is down are lost. Set mqtt.clean-start=false and mqtt.session-expiry (MQTT 5) to"
					+ " keep them");
		}
	}

	/**
	 * The trie of the active containers and the routes of recently seen topic names: most
	 * applications receive the same topic names over and over, and a hash lookup is cheaper
	 * than splitting the name into levels and walking the trie. Bounded: once it holds
	 * {@value #MAX_CACHED_TOPICS} names, further names are matched with the trie without being
	 * remembered, and the remembered ones stay (clearing all of them would make an application
	 * with more device topics than the bound rebuild the cache forever, paying the trie walk and
	 * the insertion for every message). Replaced with the trie.
	 */
	private static final class Routes {

		private static final int MAX_CACHED_TOPICS = 4096;

		private final TopicTrie<ConcurrentMqttListenerContainer> trie;

		private final TopicTrie<Boolean> subscribed;

		private final ConcurrentHashMap<String, List<ConcurrentMqttListenerContainer>> cache = new ConcurrentHashMap<>();

		Routes(TopicTrie<ConcurrentMqttListenerContainer> trie, TopicTrie<Boolean> subscribed) {
			this.trie = trie;
			this.subscribed = subscribed;
		}

		boolean isSubscribed(String topic) {
			return !this.subscribed.match(topic).isEmpty();
		}

		List<ConcurrentMqttListenerContainer> match(String topic) {
			List<ConcurrentMqttListenerContainer> matches = this.cache.get(topic);
			if (matches == null) {
				matches = this.trie.match(topic);
				// Racing threads may overshoot the bound by a few names: harmless.
				if (this.cache.size() < MAX_CACHED_TOPICS) {
					this.cache.put(topic, matches);
				}
			}
			return matches;
		}

	}

}
