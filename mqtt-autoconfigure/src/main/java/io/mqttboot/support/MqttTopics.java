package io.mqttboot.support;

import org.jspecify.annotations.Nullable;

/**
 * Validation and matching of MQTT topic names and topic filters.
 * <p>
 * Follows the MQTT 5.0 vocabulary: a <em>topic name</em> is what a PUBLISH is sent to and never
 * contains wildcards; a <em>topic filter</em> is what a SUBSCRIBE asks for and may contain the
 * single-level wildcard {@code +}, the multi-level wildcard {@code #} and a shared subscription
 * prefix {@code $share/{ShareName}/}. Validating before any I/O turns a broker disconnect (the
 * broker's only answer to a malformed packet) into an exception that names the topic and the rule.
 * <p>
 * {@link #matches(String, String)} is the reference matcher: simple rather than fast. Dispatch of
 * incoming messages uses {@link TopicTrie}, which is tested against this method.
 *
 * @since 0.1.0
 * @see TopicFilter
 * @see TopicTrie
 */
public final class MqttTopics {

	/**
	 * The prefix of a shared subscription's topic filter, {@value}.
	 */
	public static final String SHARE_PREFIX = "$share/";

	/**
	 * The largest number of UTF-8 bytes a topic name or topic filter may encode to, {@value}
	 * [MQTT-4.7.3-3].
	 */
	public static final int MAX_LENGTH = 65_535;

	private static final int MAX_QUOTED_CHARS = 100;

	private MqttTopics() {
	}

	/**
	 * Validate a topic name, as used in a PUBLISH packet.
	 * <p>
	 * A topic name must be at least one character long [MQTT-4.7.3-1], encode to at most 65,535
	 * UTF-8 bytes [MQTT-4.7.3-3], not contain the null character U+0000 [MQTT-4.7.3-2] or an
	 * unpaired surrogate [MQTT-1.5.4-1], and not contain the wildcards {@code +} and {@code #}
	 * [MQTT-3.3.2-2].
	 * @param topicName the topic name to validate
	 * @throws IllegalArgumentException if the topic name is {@code null} or invalid; the message
	 * names the topic name and the rule it breaks
	 */
	public static void validateTopicName(String topicName) {
		String problem = topicNameProblem(topicName);
		if (problem != null) {
			throw new IllegalArgumentException(invalid("topic name", topicName, problem));
		}
	}

	/**
	 * Validate a topic filter, as used in a SUBSCRIBE packet.
	 * <p>
	 * A topic filter must be at least one character long [MQTT-4.7.3-1], encode to at most 65,535
	 * UTF-8 bytes [MQTT-4.7.3-3], and not contain the null character U+0000 [MQTT-4.7.3-2] or an
	 * unpaired surrogate [MQTT-1.5.4-1]. {@code #} must occupy a whole level and be the last level
	 * [MQTT-4.7.1-2]; {@code +} must occupy a whole level [MQTT-4.7.1-3]. A shared subscription
	 * {@code $share/{ShareName}/{filter}} needs a share name of at least one character
	 * [MQTT-4.8.2-1] without {@code /}, {@code +} or {@code #}, followed by {@code /} and a valid
	 * topic filter [MQTT-4.8.2-2].
	 * @param topicFilter the topic filter to validate
	 * @throws IllegalArgumentException if the topic filter is {@code null} or invalid; the message
	 * names the topic filter and the rule it breaks
	 */
	public static void validateTopicFilter(String topicFilter) {
		String problem = topicFilterProblem(topicFilter);
		if (problem != null) {
			throw new IllegalArgumentException(invalid("topic filter", topicFilter, problem));
		}
	}

	/**
	 * Return whether a topic filter matches a topic name.
	 * <p>
	 * {@code +} matches exactly one level, which may be empty ({@code a/+/b} matches {@code a//b});
	 * {@code #} matches the parent level and any number of child levels ({@code foo/#} matches
	 * {@code foo}, {@code foo/} and {@code foo/bar/baz}). A filter starting with a wildcard does not
	 * match a topic name starting with {@code $} [MQTT-4.7.2-1]. A shared subscription matches on
	 * the filter after its {@code $share/{ShareName}/} prefix.
	 * <p>
	 * This is the simple reference implementation; use {@link TopicTrie} to match many filters.
	 * @param topicFilter the topic filter
	 * @param topicName the topic name
	 * @return {@code true} if the filter matches the topic name
	 * @throws IllegalArgumentException if the topic filter or the topic name is invalid
	 */
	public static boolean matches(String topicFilter, String topicName) {
		validateTopicFilter(topicFilter);
		validateTopicName(topicName);
		return matchesValid(stripSharePrefix(topicFilter), topicName);
	}

	/**
	 * Match a valid, non-shared topic filter against a valid topic name.
	 */
	static boolean matchesValid(String filter, String topicName) {
		if (topicName.startsWith("$") && startsWithWildcard(filter)) {
			return false; // [MQTT-4.7.2-1]
		}
		String[] filterLevels = filter.split("/", -1);
		String[] topicLevels = topicName.split("/", -1);
		for (int i = 0; i < filterLevels.length; i++) {
			String filterLevel = filterLevels[i];
			if (filterLevel.equals("#")) {
				// also covers the parent: 'foo/#' matches 'foo' [MQTT-4.7.1-2]
				return true;
			}
			if (i >= topicLevels.length) {
				return false;
			}
			if (!filterLevel.equals("+") && !filterLevel.equals(topicLevels[i])) {
				return false;
			}
		}
		return filterLevels.length == topicLevels.length;
	}

	private static boolean startsWithWildcard(String filter) {
		char first = filter.charAt(0);
		return first == '+' || first == '#';
	}

	/**
	 * Return the filter a (valid) topic filter matches on: the part after
	 * {@code $share/{ShareName}/} for a shared subscription, else the filter itself.
	 */
	static String stripSharePrefix(String validTopicFilter) {
		if (!validTopicFilter.startsWith(SHARE_PREFIX)) {
			return validTopicFilter;
		}
		return validTopicFilter.substring(validTopicFilter.indexOf('/', SHARE_PREFIX.length()) + 1);
	}

	/**
	 * Return the share name of a (valid) shared topic filter, or {@code null} if it is not shared.
	 */
	static @Nullable String shareName(String validTopicFilter) {
		if (!validTopicFilter.startsWith(SHARE_PREFIX)) {
			return null;
		}
		return validTopicFilter.substring(SHARE_PREFIX.length(),
				validTopicFilter.indexOf('/', SHARE_PREFIX.length()));
	}

	/**
	 * Split a string into topic levels without regular expressions. Empty levels are kept:
	 * {@code "a//b"} has three levels and {@code "/"} has two empty ones.
	 */
	static String[] levels(String topic) {
		int count = 1;
		for (int i = topic.indexOf('/'); i >= 0; i = topic.indexOf('/', i + 1)) {
			count++;
		}
		String[] levels = new String[count];
		int start = 0;
		for (int i = 0; i < count - 1; i++) {
			int end = topic.indexOf('/', start);
			levels[i] = topic.substring(start, end);
			start = end + 1;
		}
		levels[count - 1] = topic.substring(start);
		return levels;
	}

	/**
	 * Return why a topic name is invalid, or {@code null} if it is valid.
	 */
	static @Nullable String topicNameProblem(@Nullable String topicName) {
		if (topicName == null) {
			return "a topic name must not be null";
		}
		String problem = stringProblem(topicName, "topic name");
		if (problem != null) {
			return problem;
		}
		if (topicName.indexOf('+') >= 0 || topicName.indexOf('#') >= 0) {
			return "wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]";
		}
		return null;
	}

	/**
	 * Return why a topic filter is invalid, or {@code null} if it is valid.
	 */
	static @Nullable String topicFilterProblem(@Nullable String topicFilter) {
		if (topicFilter == null) {
			return "a topic filter must not be null";
		}
		String problem = stringProblem(topicFilter, "topic filter");
		if (problem != null) {
			return problem;
		}
		int filterStart = 0;
		if (topicFilter.startsWith(SHARE_PREFIX)) {
			int shareNameEnd = topicFilter.indexOf('/', SHARE_PREFIX.length());
			if (shareNameEnd < 0) {
				return "a shared subscription must have the form '$share/{ShareName}/{filter}' [MQTT-4.8.2-2]";
			}
			problem = shareNameProblem(topicFilter.substring(SHARE_PREFIX.length(), shareNameEnd));
			if (problem != null) {
				return problem;
			}
			filterStart = shareNameEnd + 1;
			if (filterStart == topicFilter.length()) {
				return "a shared subscription's share name must be followed by '/' and a topic filter [MQTT-4.8.2-2]";
			}
		}
		return wildcardProblem(topicFilter, filterStart);
	}

	/**
	 * Return why a share name is invalid, or {@code null} if it is valid.
	 */
	static @Nullable String shareNameProblem(@Nullable String shareName) {
		if (shareName == null) {
			return "a share name must not be null";
		}
		if (shareName.isEmpty()) {
			return "a shared subscription's share name must be at least one character long [MQTT-4.8.2-1]";
		}
		if (shareName.indexOf('/') >= 0 || shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
			return "a shared subscription's share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]";
		}
		return stringProblem(shareName, "share name");
	}

	/**
	 * Check the rules every MQTT topic string shares: length in UTF-8 bytes, no U+0000, no
	 * unpaired surrogate (which would not encode to well-formed UTF-8).
	 */
	private static @Nullable String stringProblem(String value, String kind) {
		if (value.isEmpty()) {
			return "a " + kind + " must be at least one character long [MQTT-4.7.3-1]";
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\u0000') {
				return "a " + kind + " must not contain the null character U+0000 [MQTT-4.7.3-2]";
			}
			if (Character.isSurrogate(c)) {
				if (Character.isHighSurrogate(c) && i + 1 < value.length()
						&& Character.isLowSurrogate(value.charAt(i + 1))) {
					i++;
				}
				else {
					return "a " + kind + " must be well-formed UTF-8 but contains the unpaired surrogate "
							+ escape(c) + " at index " + i + " [MQTT-1.5.4-1]";
				}
			}
		}
		int bytes = utf8Length(value);
		if (bytes > MAX_LENGTH) {
			return "a " + kind + " must not encode to more than " + MAX_LENGTH + " UTF-8 bytes but encodes to "
					+ bytes + " [MQTT-4.7.3-3]";
		}
		return null;
	}

	private static @Nullable String wildcardProblem(String filter, int filterStart) {
		int levelStart = filterStart;
		while (true) {
			int levelEnd = filter.indexOf('/', levelStart);
			boolean lastLevel = levelEnd < 0;
			if (lastLevel) {
				levelEnd = filter.length();
			}
			boolean wholeLevel = (levelEnd - levelStart == 1);
			for (int i = levelStart; i < levelEnd; i++) {
				char c = filter.charAt(i);
				if (c == '#') {
					if (!wholeLevel) {
						return "'#' must occupy an entire level [MQTT-4.7.1-2]";
					}
					if (!lastLevel) {
						return "'#' must be the last level [MQTT-4.7.1-2]";
					}
				}
				else if (c == '+' && !wholeLevel) {
					return "'+' must occupy an entire level [MQTT-4.7.1-3]";
				}
			}
			if (lastLevel) {
				return null;
			}
			levelStart = levelEnd + 1;
		}
	}

	/**
	 * Build the message of an exception about an invalid topic string, for example
	 * {@code Invalid topic filter 'a/#/b': '#' must be the last level [MQTT-4.7.1-2]}.
	 */
	static String invalid(String kind, @Nullable String value, String problem) {
		return "Invalid " + kind + " " + quote(value) + ": " + problem;
	}

	/**
	 * Quote a topic string for an exception message: control characters (including U+0000) and
	 * unpaired surrogates are escaped so they are visible and cannot forge log lines, and strings
	 * longer than 100 characters are cut, with their UTF-8 length appended.
	 */
	static String quote(@Nullable String value) {
		if (value == null) {
			return "null";
		}
		int end = Math.min(value.length(), MAX_QUOTED_CHARS);
		if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
			end--; // do not cut a surrogate pair in half
		}
		StringBuilder quoted = new StringBuilder(end + 24).append('\'');
		for (int i = 0; i < end; i++) {
			char c = value.charAt(i);
			boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < end
					&& Character.isLowSurrogate(value.charAt(i + 1))
					|| Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
			if (Character.isISOControl(c) || Character.isSurrogate(c) && !pairedSurrogate) {
				quoted.append(escape(c));
			}
			else {
				quoted.append(c);
			}
		}
		if (end < value.length()) {
			quoted.append("…(").append(utf8Length(value)).append(" bytes)");
		}
		return quoted.append('\'').toString();
	}

	private static String escape(char c) {
		return String.format("\\u%04X", (int) c);
	}

	/**
	 * Return the number of bytes a string encodes to in UTF-8, counting an unpaired surrogate as
	 * three bytes (it is rejected before this matters for validation).
	 */
	private static int utf8Length(String value) {
		int bytes = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x80) {
				bytes += 1;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < value.length()
					&& Character.isLowSurrogate(value.charAt(i + 1))) {
				bytes += 4;
				i++;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}
