package io.mqttboot.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Counts the messages of one client that no listener wanted, which are acknowledged and
 * dropped. Two kinds:
 * <ul>
 * <li>messages that a wider, merged broker subscription brings (listeners on
 * {@code a/+/c} and {@code a/b/+} are subscribed as {@code a/+/+}, which also brings
 * {@code a/x/y}): expected, only counted;</li>
 * <li>messages that match no subscription the client wants: typically a subscription
 * that an earlier run left in a persistent session, or one of a listener stopped a moment
 * ago. Counted and, for QoS 1 and 2, logged at WARN at most once a minute per client,
 * with the number seen since the last warning.</li>
 * </ul>
 * Acknowledging them is deliberate: the client acknowledges in order, so holding one back
 * would stall every message after it.
 *
 * @since 0.1.0
 */
public final class MqttUnroutedMessages {

	private static final Log logger = LogFactory.getLog(MqttUnroutedMessages.class);

	private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final String clientName;

	private final LongAdder mergedSubscription = new LongAdder();

	private final LongAdder noSubscription = new LongAdder();

	private final LongAdder notWarned = new LongAdder();

	private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

	MqttUnroutedMessages(String clientName) {
		this.clientName = clientName;
	}

	/**
	 * Record a message that no listener wanted; the caller acknowledges it.
	 * @param message the message
	 * @param subscribed whether it matches a subscription the client wants (a merged,
	 * wider filter)
	 */
	public void record(MqttReceivedMessage message, boolean subscribed) {
		if (subscribed) {
			this.mergedSubscription.increment();
			return;
		}
		this.noSubscription.increment();
		if (message.getQos() == 0) {
			return;
		}
		this.notWarned.increment();
		long now = System.nanoTime();
		long last = this.lastWarning.get();
		if (now - last >= WARN_INTERVAL_NANOS && this.lastWarning.compareAndSet(last, now)) {
			long count = this.notWarned.sumThenReset();
			logger.warn("MQTT client '" + this.clientName + "' received a QoS " + message.getQos()
					+ " message on topic '" + message.getTopic() + "' that matches none of the subscriptions of its"
					+ " listeners, and acknowledged it without processing (" + count + " such QoS 1/2 message"
					+ ((count != 1) ? "s" : "") + " since the last warning, " + getNoSubscriptionCount()
					+ " of any QoS in total; meter mqtt.messages.unrouted). Usually a subscription left in the"
					+ " persistent session by an earlier run or by a listener that has since stopped; connect once"
					+ " with mqtt.clean-start=true, or unsubscribe it, to remove it");
		}
	}

	/**
	 * Return how many messages matched a merged subscription but none of its listeners'
	 * filters.
	 * @return the count since start
	 */
	public long getMergedSubscriptionCount() {
		return this.mergedSubscription.sum();
	}

	/**
	 * Return how many messages matched no subscription the client wants.
	 * @return the count since start
	 */
	public long getNoSubscriptionCount() {
		return this.noSubscription.sum();
	}

	/**
	 * Return how many messages no listener wanted, of both kinds.
	 * @return the count since start
	 */
	public long getCount() {
		return getMergedSubscriptionCount() + getNoSubscriptionCount();
	}

}
