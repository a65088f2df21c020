package io.mqttboot.support;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * An immutable index of topic filters for dispatching incoming messages: given a topic name, it
 * finds the values of every filter that matches by walking the topic's levels, following at most a
 * literal and a {@code +} branch per level, so the cost does not grow with the number of filters.
 * <p>
 * Each node holds its literal child levels in a hash map plus dedicated slots for the {@code +}
 * child and for the values of a {@code #} child. Matching follows
 * {@link MqttTopics#matches(String, String)}: {@code +} matches exactly one (possibly empty)
 * level, {@code foo/#} also matches {@code foo}, and a filter starting with a wildcard never
 * matches a topic name whose first level starts with {@code $} [MQTT-4.7.2-1]. A shared
 * subscription {@code $share/{group}/{filter}} is indexed under {@code {filter}}.
 * <p>
 * <strong>Each value is reported at most once per topic name</strong>, even when it was added
 * under several filters that all match (for example {@code sensors/#} and {@code sensors/+/temp}),
 * compared by identity. That is how each listener receives each message once even with overlapping
 * filters. The check only costs anything for values that were added more than once.
 * <p>
 * Instances are thread-safe: they are never modified after {@link Builder#build()} and all fields
 * are final.
 *
 * @param <T> the type of the values, for example a listener container
 * @since 0.1.0
 */
public final class TopicTrie<T> {

	private final Node<T> root;

	private final int size;

	private TopicTrie(Node<T> root, int size) {
		this.root = root;
		this.size = size;
	}

	/**
	 * Create a builder for a trie.
	 * @param <T> the type of the values
	 * @return a new, empty builder
	 */
	public static <T> Builder<T> builder() {
		return new Builder<>();
	}

	/**
	 * Return the values of all filters matching the topic name, each value once (by identity).
	 * @param topicName a topic name as received from the broker; it is not validated, so
	 * {@code +} and {@code #} in it are matched as plain characters
	 * @return the unmodifiable list of matching values, in no particular order; empty if none match
	 */
	public List<T> match(String topicName) {
		if (this.size == 0) {
			return Collections.emptyList();
		}
		List<T> matches = new ArrayList<>(4);
		new Walk<T>(MqttTopics.levels(topicName), matches::add).walk(this.root, 0);
		return matches.isEmpty() ? Collections.emptyList() : Collections.unmodifiableList(matches);
	}

	/**
	 * Pass the value of every filter matching the topic name to an action, each value once (by
	 * identity), without building a result list.
	 * @param topicName a topic name as received from the broker; it is not validated, so
	 * {@code +} and {@code #} in it are matched as plain characters
	 * @param action the action to call for each matching value, in no particular order
	 */
	public void forEachMatch(String topicName, Consumer<? super T> action) {
		new Walk<T>(MqttTopics.levels(topicName), action).walk(this.root, 0);
	}

	/**
	 * Return the number of entries: the number of times {@link Builder#add(String, Object)} was
	 * called, counting a filter once per value added under it.
	 * @return the number of filter entries
	 */
	public int size() {
		return this.size;
	}

	/**
	 * Return whether the trie has no filters, and so never matches.
	 * @return {@code true} if there are no filter entries
	 */
	public boolean isEmpty() {
		return this.size == 0;
	}

	@Override
	public String toString() {
		return "TopicTrie[size=" + this.size + "]";
	}

	/**
	 * Collects the filters and values of a {@link TopicTrie}. A builder is not thread-safe; it can
	 * keep being used after {@link #build()}, which copies its state.
	 *
	 * @param <T> the type of the values
	 * @since 0.1.0
	 */
	public static final class Builder<T> {

		private final MutableNode<T> root = new MutableNode<>();

		private final List<T> values = new ArrayList<>();

		private Builder() {
		}

		/**
		 * Add a value under a topic filter. A shared subscription {@code $share/{group}/{filter}}
		 * is indexed under {@code {filter}}.
		 * @param topicFilter the topic filter
		 * @param value the value to report for topic names the filter matches
		 * @return this builder
		 * @throws IllegalArgumentException if the filter is invalid (see
		 * {@link MqttTopics#validateTopicFilter(String)}) or the value is {@code null}
		 */
		public Builder<T> add(String topicFilter, T value) {
			MqttTopics.validateTopicFilter(topicFilter);
			if (value == null) {
				throw new IllegalArgumentException("Value for topic filter " + MqttTopics.quote(topicFilter)
						+ " must not be null");
			}
			MutableNode<T> node = this.root;
			String[] levels = MqttTopics.levels(MqttTopics.stripSharePrefix(topicFilter));
			for (int i = 0; i < levels.length; i++) {
				String level = levels[i];
				if (level.equals("#")) {
					node.multiLevelValues.add(value); // validation made '#' the last level
					this.values.add(value);
					return this;
				}
				node = level.equals("+") ? node.singleLevelChild() : node.child(level);
			}
			node.values.add(value);
			this.values.add(value);
			return this;
		}

		/**
		 * Build an immutable trie of the filters added so far.
		 * @return the trie
		 */
		public TopicTrie<T> build() {
			Map<T, Integer> counts = new IdentityHashMap<>();
			for (T value : this.values) {
				counts.merge(value, 1, Integer::sum);
			}
			return new TopicTrie<>(this.root.freeze(counts), this.values.size());
		}

	}

	private static final class MutableNode<T> {

		final Map<String, MutableNode<T>> children = new HashMap<>();

		@Nullable MutableNode<T> singleLevelChild;

		final List<T> values = new ArrayList<>(1);

		final List<T> multiLevelValues = new ArrayList<>(1);

		MutableNode<T> child(String level) {
			return this.children.computeIfAbsent(level, (key) -> new MutableNode<>());
		}

		MutableNode<T> singleLevelChild() {
			MutableNode<T> child = this.singleLevelChild;
			if (child == null) {
				child = new MutableNode<>();
				this.singleLevelChild = child;
			}
			return child;
		}

		Node<T> freeze(Map<T, Integer> counts) {
			Map<String, Node<T>> frozenChildren = new HashMap<>(this.children.size() * 2);
			this.children.forEach((level, child) -> frozenChildren.put(level, child.freeze(counts)));
			MutableNode<T> plus = this.singleLevelChild;
			return new Node<>(frozenChildren.isEmpty() ? Map.of() : Map.copyOf(frozenChildren),
					(plus != null) ? plus.freeze(counts) : null, entries(this.values, counts),
					entries(this.multiLevelValues, counts));
		}

		private static <T> Entry<T>[] entries(List<T> values, Map<T, Integer> counts) {
			@SuppressWarnings("unchecked")
			Entry<T>[] entries = (Entry<T>[]) new Entry<?>[values.size()];
			for (int i = 0; i < entries.length; i++) {
				T value = values.get(i);
				entries[i] = new Entry<>(value, counts.get(value) > 1);
			}
			return entries;
		}

	}

	private static final class Node<T> {

		final Map<String, Node<T>> children;

		final @Nullable Node<T> singleLevelChild;

		/** Values of filters ending at this node. */
		final Entry<T>[] values;

		/** Values of filters ending in a {@code #} below this node. */
		final Entry<T>[] multiLevelValues;

		Node(Map<String, Node<T>> children, @Nullable Node<T> singleLevelChild, Entry<T>[] values,
				Entry<T>[] multiLevelValues) {
			this.children = children;
			this.singleLevelChild = singleLevelChild;
			this.values = values;
			this.multiLevelValues = multiLevelValues;
		}

	}

	/**
	 * A value and whether it was added more than once, so only those need the duplicate check.
	 */
	private static final class Entry<T> {

		final T value;

		final boolean addedMoreThanOnce;

		Entry(T value, boolean addedMoreThanOnce) {
			this.value = value;
			this.addedMoreThanOnce = addedMoreThanOnce;
		}

	}

	/**
	 * The state of matching one topic name. Each node is visited at most once per topic name, so
	 * an entry is reported at most once; only values added under several filters can repeat.
	 */
	private static final class Walk<T> {

		private final String[] levels;

		private final boolean dollarTopic;

		private final Consumer<? super T> action;

		private Object @Nullable [] reported;

		private int reportedCount;

		Walk(String[] levels, Consumer<? super T> action) {
			this.levels = levels;
			this.dollarTopic = levels[0].startsWith("$");
			this.action = action;
		}

		void walk(Node<T> node, int depth) {
			// A filter starting with a wildcard must not match a topic starting with '$' [MQTT-4.7.2-1]
			boolean wildcardsAllowed = depth > 0 || !this.dollarTopic;
			if (wildcardsAllowed) {
				// 'foo/#' matches 'foo' too, so '#' values are reported before checking for more levels
				report(node.multiLevelValues);
			}
			if (depth == this.levels.length) {
				report(node.values);
				return;
			}
			Node<T> child = node.children.get(this.levels[depth]);
			if (child != null) {
				walk(child, depth + 1);
			}
			Node<T> singleLevelChild = node.singleLevelChild;
			if (singleLevelChild != null && wildcardsAllowed) {
				walk(singleLevelChild, depth + 1);
			}
		}

		private void report(Entry<T>[] entries) {
			for (Entry<T> entry : entries) {
				if (!entry.addedMoreThanOnce || firstReport(entry.value)) {
					this.action.accept(entry.value);
				}
			}
		}

		private boolean firstReport(T value) {
			Object[] reported = this.reported;
			if (reported == null) {
				reported = new Object[4];
				this.reported = reported;
			}
			for (int i = 0; i < this.reportedCount; i++) {
				if (reported[i] == value) {
					return false;
				}
			}
			if (this.reportedCount == reported.length) {
				reported = Arrays.copyOf(reported, reported.length * 2);
				this.reported = reported;
			}
			reported[this.reportedCount++] = value;
			return true;
		}

	}

}
