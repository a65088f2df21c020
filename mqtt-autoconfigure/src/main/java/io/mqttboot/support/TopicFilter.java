package io.mqttboot.support;

import org.jspecify.annotations.Nullable;

/**
 * A validated MQTT topic filter, optionally a shared subscription
 * ({@code $share/{ShareName}/{filter}}).
 * <p>
 * Holding a {@code TopicFilter} rather than a {@code String} means the filter was checked once,
 * where it was declared, and that the share group and the filter messages are matched on are
 * already split apart. Instances are immutable; two are equal when their full filter strings are.
 *
 * @since 0.1.0
 * @see MqttTopics#validateTopicFilter(String)
 */
public final class TopicFilter {

	private final String filter;

	private final @Nullable String shareGroup;

	private final String matchFilter;

	private final boolean wildcards;

	private TopicFilter(String filter) {
		this.filter = filter;
		this.shareGroup = MqttTopics.shareName(filter);
		this.matchFilter = MqttTopics.stripSharePrefix(filter);
		this.wildcards = this.matchFilter.indexOf('+') >= 0 || this.matchFilter.indexOf('#') >= 0;
	}

	/**
	 * Create a topic filter from its string form, which may be a shared subscription.
	 * @param filter the topic filter, for example {@code sensors/+/temp} or
	 * {@code $share/workers/jobs/#}
	 * @return the topic filter
	 * @throws IllegalArgumentException if the filter is invalid (see
	 * {@link MqttTopics#validateTopicFilter(String)})
	 */
	public static TopicFilter of(String filter) {
		MqttTopics.validateTopicFilter(filter);
		return new TopicFilter(filter);
	}

	/**
	 * Create a shared subscription {@code $share/{group}/{filter}}.
	 * @param group the share name; at least one character, without {@code /}, {@code +} or
	 * {@code #} [MQTT-4.8.2-1], [MQTT-4.8.2-2]
	 * @param filter the topic filter to share; must not itself be shared
	 * @return the shared topic filter
	 * @throws IllegalArgumentException if the share name or the filter is invalid, or the filter is
	 * already a shared subscription
	 */
	public static TopicFilter shared(String group, String filter) {
		String problem = MqttTopics.shareNameProblem(group);
		if (problem != null) {
			throw new IllegalArgumentException(MqttTopics.invalid("share name", group, problem));
		}
		MqttTopics.validateTopicFilter(filter);
		if (filter.startsWith(MqttTopics.SHARE_PREFIX)) {
			throw new IllegalArgumentException(MqttTopics.invalid("topic filter", filter,
					"it is already a shared subscription and cannot be shared again in group '" + group + "'"));
		}
		return of(MqttTopics.SHARE_PREFIX + group + "/" + filter);
	}

	/**
	 * Return the full topic filter as sent in a SUBSCRIBE, including any {@code $share/{group}/}
	 * prefix.
	 * @return the topic filter
	 */
	public String getFilter() {
		return this.filter;
	}

	/**
	 * Return the share name of a shared subscription.
	 * @return the share name, or {@code null} if this is not a shared subscription
	 */
	public @Nullable String getShareGroup() {
		return this.shareGroup;
	}

	/**
	 * Return whether this is a shared subscription.
	 * @return {@code true} if the filter starts with {@code $share/}
	 */
	public boolean isShared() {
		return this.shareGroup != null;
	}

	/**
	 * Return the filter that topic names are matched against: the filter without any
	 * {@code $share/{group}/} prefix.
	 * @return the filter to match on
	 */
	public String getMatchFilter() {
		return this.matchFilter;
	}

	/**
	 * Return whether the filter contains a {@code +} or {@code #} wildcard.
	 * @return {@code true} if the filter has wildcards
	 */
	public boolean hasWildcards() {
		return this.wildcards;
	}

	/**
	 * Return whether this filter matches a topic name, with the semantics of
	 * {@link MqttTopics#matches(String, String)}.
	 * @param topicName the topic name
	 * @return {@code true} if the filter matches
	 * @throws IllegalArgumentException if the topic name is invalid
	 */
	public boolean matches(String topicName) {
		MqttTopics.validateTopicName(topicName);
		return MqttTopics.matchesValid(this.matchFilter, topicName);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		return other instanceof TopicFilter that && this.filter.equals(that.filter);
	}

	@Override
	public int hashCode() {
		return this.filter.hashCode();
	}

	/**
	 * Return the full topic filter.
	 * @return the topic filter, as {@link #getFilter()}
	 */
	@Override
	public String toString() {
		return this.filter;
	}

}
