package io.mqttboot.listener;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mqttboot.core.MqttSubscription;
import io.mqttboot.support.MqttTopics;
import io.mqttboot.support.TopicFilter;

/**
 * Turns the subscriptions of all listeners of a client into the subscriptions sent to the
 * broker, such that no topic matches two of them.
 * <p>
 * Why: with overlapping subscriptions an MQTT 5 broker may send one copy of a message per
 * matching subscription [MQTT-3.3.4-2] (mosquitto does), and the HiveMQ client does not
 * expose the subscription identifiers that would tell the copies apart. Merging overlapping
 * filters into their common generalisation (for example {@code a/+/c} and {@code a/b/+}
 * into {@code a/+/+}) means the broker sends each message once; the dispatcher's topic trie
 * then routes it to exactly the listeners whose own filters match. Shared subscriptions are
 * never merged: each is its own broker subscription.
 *
 * @since 0.1.0
 */
public final class MqttSubscriptionPlanner {

	private MqttSubscriptionPlanner() {
	}

	/**
	 * Plan the broker subscriptions.
	 * @param requested the subscriptions of all listeners, possibly repeated and
	 * overlapping
	 * @return non-overlapping subscriptions covering all requested ones, each with the
	 * highest requested QoS of what it covers
	 */
	public static List<MqttSubscription> plan(List<MqttSubscription> requested) {
		Map<String, MqttSubscription> distinct = new LinkedHashMap<>();
		for (MqttSubscription subscription : requested) {
			distinct.merge(subscription.filter(), subscription, MqttSubscriptionPlanner::combine);
		}
		List<MqttSubscription> shared = new ArrayList<>();
		List<MqttSubscription> plain = new ArrayList<>();
		for (MqttSubscription subscription : distinct.values()) {
			(subscription.filter().startsWith(MqttTopics.SHARE_PREFIX) ? shared : plain).add(subscription);
		}
		// Each subscription absorbs every planned one it overlaps, then joins the plan: each
		// merge shrinks the plan, so this stays quadratic in the number of distinct filters.
		List<Planned> planned = new ArrayList<>();
		for (MqttSubscription subscription : plain) {
			Planned candidate = new Planned(subscription);
			boolean absorbed = true;
			while (absorbed) {
				absorbed = false;
				for (int i = 0; i < planned.size(); i++) {
					Planned other = planned.get(i);
					if (overlap(candidate.levels, other.levels)) {
						MqttSubscription a = candidate.subscription;
						String filter = generalize(a.filter(), other.subscription.filter());
						candidate = new Planned(combine(new MqttSubscription(filter, a.qos(), a.noLocal(),
								a.retainAsPublished(), a.retainHandling()), other.subscription));
						planned.remove(i);
						absorbed = true;
						break;
					}
				}
			}
			planned.add(candidate);
		}
		plain = new ArrayList<>(planned.size());
		for (Planned entry : planned) {
			plain.add(entry.subscription);
		}
		List<MqttSubscription> result = new ArrayList<>(plain);
		result.addAll(shared);
		return result;
	}

	/**
	 * Return the pairs of a shared and a plain subscription whose filters overlap: the broker
	 * sends a matching message once per subscription, and the two copies cannot be told
	 * apart, so both listeners process it twice.
	 * @param subscriptions the subscriptions of one client
	 * @return descriptions of the overlapping pairs, empty if there are none
	 */
	public static List<String> sharedOverlaps(List<MqttSubscription> subscriptions) {
		List<String> overlaps = new ArrayList<>();
		for (MqttSubscription shared : subscriptions) {
			if (!shared.filter().startsWith(MqttTopics.SHARE_PREFIX)) {
				continue;
			}
			String inner = TopicFilter.of(shared.filter()).getMatchFilter();
			for (MqttSubscription plain : subscriptions) {
				if (!plain.filter().startsWith(MqttTopics.SHARE_PREFIX) && overlap(inner, plain.filter())) {
					overlaps.add("'" + shared.filter() + "' and '" + plain.filter() + "'");
				}
			}
		}
		return overlaps;
	}

	private static final class Planned {

		final MqttSubscription subscription;

		final String[] levels;

		Planned(MqttSubscription subscription) {
			this.subscription = subscription;
			this.levels = subscription.filter().split("/", -1);
		}

	}

	private static MqttSubscription combine(MqttSubscription a, MqttSubscription b) {
		// One broker subscription serves both: it must deliver what either asked for.
		return new MqttSubscription(a.filter(), Math.max(a.qos(), b.qos()), a.noLocal() && b.noLocal(),
				a.retainAsPublished() || b.retainAsPublished(), Math.min(a.retainHandling(), b.retainHandling()));
	}

	/**
	 * Return whether some topic name matches both (non-shared) filters.
	 * @param a a topic filter
	 * @param b another topic filter
	 * @return whether they overlap
	 */
	static boolean overlap(String a, String b) {
		return overlap(a.split("/", -1), b.split("/", -1));
	}

	private static boolean overlap(String[] la, String[] lb) {
		for (int i = 0;; i++) {
			if (i == la.length && i == lb.length) {
				return true;
			}
			if (i == la.length) {
				return lb[i].equals("#");
			}
			if (i == lb.length) {
				return la[i].equals("#");
			}
			String x = la[i];
			String y = lb[i];
			boolean wildX = x.equals("#") || x.equals("+");
			boolean wildY = y.equals("#") || y.equals("+");
			if (i == 0 && ((wildX && y.startsWith("$")) || (wildY && x.startsWith("$")))) {
				// Leading wildcards never match topics starting with '$' [MQTT-4.7.2-1].
				return false;
			}
			if (x.equals("#") || y.equals("#")) {
				return true;
			}
			if (!wildX && !wildY && !x.equals(y)) {
				return false;
			}
		}
	}

	/**
	 * Return the most specific filter matching every topic either filter matches.
	 * @param a a topic filter
	 * @param b another topic filter that overlaps {@code a}
	 * @return the generalisation
	 */
	static String generalize(String a, String b) {
		String[] la = a.split("/", -1);
		String[] lb = b.split("/", -1);
		StringBuilder result = new StringBuilder();
		for (int i = 0; i < Math.max(la.length, lb.length); i++) {
			if (i > 0) {
				result.append('/');
			}
			if (i >= la.length || i >= lb.length) {
				result.append('#');
				break;
			}
			String x = la[i];
			String y = lb[i];
			if (x.equals("#") || y.equals("#")) {
				result.append('#');
				break;
			}
			result.append(x.equals(y) ? x : "+");
		}
		return result.toString();
	}

}
