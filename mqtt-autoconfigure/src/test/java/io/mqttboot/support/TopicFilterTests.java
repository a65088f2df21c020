package io.mqttboot.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TopicFilter}.
 */
class TopicFilterTests {

	@Test
	void ofWhenPlainFilterShouldHaveNoShareGroup() {
		TopicFilter filter = TopicFilter.of("sensors/+/temp");
		assertThat(filter.getFilter()).isEqualTo("sensors/+/temp");
		assertThat(filter.getShareGroup()).isNull();
		assertThat(filter.isShared()).isFalse();
		assertThat(filter.getMatchFilter()).isEqualTo("sensors/+/temp");
		assertThat(filter.hasWildcards()).isTrue();
	}

	@Test
	void ofWhenSharedFilterShouldSplitShareGroupFromMatchFilter() {
		TopicFilter filter = TopicFilter.of("$share/workers/jobs/#");
		assertThat(filter.getFilter()).isEqualTo("$share/workers/jobs/#");
		assertThat(filter.getShareGroup()).isEqualTo("workers");
		assertThat(filter.isShared()).isTrue();
		assertThat(filter.getMatchFilter()).isEqualTo("jobs/#");
		assertThat(filter.hasWildcards()).isTrue();
	}

	@Test
	void ofWhenInvalidShouldThrowNamingFilterAndRule() {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicFilter.of("a/#/b"))
			.withMessage("Invalid topic filter 'a/#/b': '#' must be the last level [MQTT-4.7.1-2]");
	}

	@Test
	void sharedShouldBuildShareFilter() {
		TopicFilter filter = TopicFilter.shared("workers", "jobs/+");
		assertThat(filter.getFilter()).isEqualTo("$share/workers/jobs/+");
		assertThat(filter.getShareGroup()).isEqualTo("workers");
		assertThat(filter.getMatchFilter()).isEqualTo("jobs/+");
		assertThat(filter).isEqualTo(TopicFilter.of("$share/workers/jobs/+"));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			""  | Invalid share name '': a shared subscription's share name must be at least one character long [MQTT-4.8.2-1]
			a/b | Invalid share name 'a/b': a shared subscription's share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]
			a+  | Invalid share name 'a+': a shared subscription's share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]
			"#" | Invalid share name '#': a shared subscription's share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]
			""")
	void sharedWhenShareNameIsInvalidShouldThrow(String group, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicFilter.shared(group, "jobs"))
			.withMessage(message);
	}

	@Test
	void sharedWhenFilterIsInvalidShouldThrowNamingFilter() {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicFilter.shared("g", "jobs+"))
			.withMessage("Invalid topic filter 'jobs+': '+' must occupy an entire level [MQTT-4.7.1-3]");
	}

	@Test
	void sharedWhenFilterIsAlreadySharedShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicFilter.shared("g", "$share/h/jobs"))
			.withMessage("Invalid topic filter '$share/h/jobs': "
					+ "it is already a shared subscription and cannot be shared again in group 'g'");
	}

	@ParameterizedTest(name = "''{0}'' has wildcards: {1}")
	@CsvSource(quoteCharacter = '"', textBlock = """
			a/b,              false
			/,                false
			a/+,              true
			"#",              true
			a/#,              true
			$share/g/a,       false
			$share/g/a/+,     true
			$SYS/broker/load, false
			""")
	void hasWildcardsShouldLookOnlyAtTheMatchFilter(String filter, boolean expected) {
		assertThat(TopicFilter.of(filter).hasWildcards()).isEqualTo(expected);
	}

	@ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
	@CsvSource(quoteCharacter = '"', textBlock = """
			foo/#,        foo,        true
			foo/+/#,      foo/bar,    true
			a/+,          a/b/c,      false
			"#",          $SYS/x,     false
			+/x,          $SYS/x,     false
			$SYS/#,       $SYS/x,     true
			a/+/b,        a//b,       true
			$share/g/a/+, a/b,        true
			$share/g/#,   $SYS/x,     false
			""")
	void matchesShouldMatchLikeMqttTopics(String filter, String topicName, boolean expected) {
		assertThat(TopicFilter.of(filter).matches(topicName)).isEqualTo(expected);
		assertThat(MqttTopics.matches(filter, topicName)).isEqualTo(expected);
	}

	@Test
	void matchesWhenTopicNameIsInvalidShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicFilter.of("a/#").matches("a/#"))
			.withMessageContaining("[MQTT-3.3.2-2]");
	}

	@Test
	void equalsAndHashCodeShouldUseTheFullFilter() {
		assertThat(TopicFilter.of("a/+")).isEqualTo(TopicFilter.of("a/+"))
			.hasSameHashCodeAs(TopicFilter.of("a/+"))
			.isNotEqualTo(TopicFilter.of("a/#"))
			.isNotEqualTo(TopicFilter.of("$share/g/a/+"));
		assertThat(TopicFilter.of("$share/g/a")).isNotEqualTo(TopicFilter.of("$share/h/a"));
	}

	@Test
	void toStringShouldReturnTheFilter() {
		assertThat(TopicFilter.of("$share/g/a/+")).hasToString("$share/g/a/+");
	}

}
