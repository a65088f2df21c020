package io.mqttboot.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A listener topic template such as {@code sensors/{deviceId}/temp}: a topic filter in which
 * whole levels may be named variables.
 * <p>
 * Each variable becomes a {@code +} in the {@link #getFilter() filter} that is subscribed, and
 * {@link #extractVariables(String)} reads the variable values back out of a received topic name.
 * A variable must occupy an entire level (just as {@code +} must [MQTT-4.7.1-3]) and its name
 * must be a Java identifier, unique within the template. A template without variables is simply
 * a topic filter. A shared subscription prefix {@code $share/{ShareName}/} is allowed, though the
 * share group is normally applied separately; variables are counted in the levels after it, which
 * is how received topic names look.
 * <p>
 * Instances are immutable; two are equal when their template strings are.
 *
 * @since 0.1.0
 */
public final class TopicTemplate {

	private static final String[] NO_NAMES = new String[0];

	private final String template;

	private final String filter;

	/** The levels of the filter after any share prefix. */
	private final String[] filterLevels;

	/** The variable name at each level of {@link #filterLevels}, or {@code null}. */
	private final @Nullable String[] variableNameByLevel;

	private final List<String> variableNames;

	private TopicTemplate(String template, String filter, String[] filterLevels,
			@Nullable String[] variableNameByLevel, List<String> variableNames) {
		this.template = template;
		this.filter = filter;
		this.filterLevels = filterLevels;
		this.variableNameByLevel = variableNameByLevel;
		this.variableNames = variableNames;
	}

	/**
	 * Parse a topic template.
	 * @param template the template, for example {@code sensors/{deviceId}/temp},
	 * {@code sensors/{deviceId}/#} or a plain topic filter such as {@code sensors/+/temp}
	 * @return the parsed template
	 * @throws IllegalArgumentException if the template is {@code null}, a variable does not occupy
	 * an entire level, a variable name is not a Java identifier or is used twice, or the resulting
	 * topic filter is invalid; the message names the template
	 */
	public static TopicTemplate of(String template) {
		if (template == null) {
			throw new IllegalArgumentException("Invalid topic template null: a topic template must not be null");
		}
		int filterStart = 0;
		if (template.startsWith(MqttTopics.SHARE_PREFIX)) {
			int shareNameEnd = template.indexOf('/', MqttTopics.SHARE_PREFIX.length());
			filterStart = (shareNameEnd < 0) ? template.length() : shareNameEnd + 1;
			String shareName = template.substring(MqttTopics.SHARE_PREFIX.length(),
					(shareNameEnd < 0) ? template.length() : shareNameEnd);
			if (shareName.indexOf('{') >= 0 || shareName.indexOf('}') >= 0) {
				throw invalid(template, "variables are not allowed in the share name");
			}
		}
		String[] levels = MqttTopics.levels(template.substring(filterStart));
		@Nullable String[] names = new String[levels.length];
		List<String> variableNames = new ArrayList<>();
		for (int i = 0; i < levels.length; i++) {
			String level = levels[i];
			if (level.indexOf('{') < 0 && level.indexOf('}') < 0) {
				continue;
			}
			if (level.length() < 2 || level.charAt(0) != '{' || level.indexOf('}') != level.length() - 1
					|| level.lastIndexOf('{') != 0) {
				throw invalid(template, "a variable must occupy an entire level, as in 'a/{name}/b'");
			}
			String name = level.substring(1, level.length() - 1);
			if (!isJavaIdentifier(name)) {
				throw invalid(template, "variable name '" + name + "' is not a valid Java identifier");
			}
			if (variableNames.contains(name)) {
				throw invalid(template, "variable name '" + name + "' is used more than once");
			}
			variableNames.add(name);
			names[i] = name;
			levels[i] = "+";
		}
		String filter = template.substring(0, filterStart) + String.join("/", levels);
		String problem = MqttTopics.topicFilterProblem(filter);
		if (problem != null) {
			throw invalid(template, problem);
		}
		return new TopicTemplate(template, filter, levels, variableNames.isEmpty() ? NO_NAMES : names,
				Collections.unmodifiableList(variableNames));
	}

	private static boolean isJavaIdentifier(String name) {
		if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
			return false;
		}
		for (int i = 1; i < name.length(); i++) {
			if (!Character.isJavaIdentifierPart(name.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	private static IllegalArgumentException invalid(String template, String problem) {
		return new IllegalArgumentException(MqttTopics.invalid("topic template", template, problem));
	}

	/**
	 * Return the template as written.
	 * @return the template
	 */
	public String getTemplate() {
		return this.template;
	}

	/**
	 * Return the topic filter to subscribe to: the template with each variable replaced by
	 * {@code +}, for example {@code sensors/+/temp} for {@code sensors/{deviceId}/temp}.
	 * @return the topic filter, including any {@code $share/{ShareName}/} prefix
	 */
	public String getFilter() {
		return this.filter;
	}

	/**
	 * Return the variable names in the order their levels appear.
	 * @return the unmodifiable list of variable names, empty if the template has none
	 */
	public List<String> getVariableNames() {
		return this.variableNames;
	}

	/**
	 * Extract the variable values from a topic name this template's filter matches.
	 * @param topicName a topic name as received, without any share prefix, for example
	 * {@code sensors/kitchen/temp}
	 * @return the unmodifiable map of variable name to level value (possibly empty), in the order
	 * of {@link #getVariableNames()}, for example {@code {deviceId=kitchen}}
	 * @throws IllegalArgumentException if the topic name does not match the template's filter
	 */
	public Map<String, String> extractVariables(String topicName) {
		if (topicName == null || topicName.isEmpty()) {
			throw doesNotMatch(topicName);
		}
		String firstLevel = this.filterLevels[0];
		if (topicName.charAt(0) == '$' && (firstLevel.equals("+") || firstLevel.equals("#"))) {
			throw doesNotMatch(topicName); // [MQTT-4.7.2-1]
		}
		// Walks the topic name level by level and cuts out only the variable values: splitting
		// it into levels cost an array and a string per level for every message (benchmark B11).
		int count = this.variableNames.size();
		Map<String, String> several = (count > 1) ? new LinkedHashMap<>(count * 2) : null;
		String single = null;
		int start = 0;
		for (int i = 0; i < this.filterLevels.length; i++) {
			String filterLevel = this.filterLevels[i];
			if (filterLevel.equals("#")) {
				return variables(single, several);
			}
			if (start < 0) {
				throw doesNotMatch(topicName);
			}
			int slash = topicName.indexOf('/', start);
			int end = (slash < 0) ? topicName.length() : slash;
			String name = (i < this.variableNameByLevel.length) ? this.variableNameByLevel[i] : null;
			if (name != null) {
				String value = topicName.substring(start, end);
				if (several != null) {
					several.put(name, value);
				}
				else {
					single = value;
				}
			}
			else if (!filterLevel.equals("+")
					&& (filterLevel.length() != end - start || !topicName.startsWith(filterLevel, start))) {
				throw doesNotMatch(topicName);
			}
			start = (slash < 0) ? -1 : slash + 1;
		}
		if (start >= 0) {
			// The topic name has more levels than the filter.
			throw doesNotMatch(topicName);
		}
		return variables(single, several);
	}

	/**
	 * Return the extracted variables: one variable (the usual case) as a single-entry map,
	 * which costs one small object instead of a hash map, its table and an entry.
	 */
	private Map<String, String> variables(@Nullable String single, @Nullable Map<String, String> several) {
		if (several != null) {
			return Collections.unmodifiableMap(several);
		}
		if (single != null) {
			return Collections.singletonMap(this.variableNames.get(0), single);
		}
		return Collections.emptyMap();
	}

	private IllegalArgumentException doesNotMatch(@Nullable String topicName) {
		return new IllegalArgumentException("Topic name " + MqttTopics.quote(topicName)
				+ " does not match topic template " + MqttTopics.quote(this.template));
	}

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		return other instanceof TopicTemplate that && this.template.equals(that.template);
	}

	@Override
	public int hashCode() {
		return this.template.hashCode();
	}

	/**
	 * Return the template as written.
	 * @return the template, as {@link #getTemplate()}
	 */
	@Override
	public String toString() {
		return this.template;
	}

}
