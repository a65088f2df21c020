package io.mqttboot.support;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link MqttTopics}.
 */
class MqttTopicsTests {

	/** 21,845 x '€' (3 bytes each) = 65,535 bytes: the longest valid topic. */
	private static final String LONGEST_MULTIBYTE = "€".repeat(21_845);

	/** 21,846 x '€' = 65,538 bytes in only 21,846 characters: too long, although far below 65,535 chars. */
	private static final String TOO_LONG_MULTIBYTE = "€".repeat(21_846);

	/**
	 * Filter, topic name, whether the filter matches. Shared with {@link TopicTrieTests}: every
	 * known matcher bug has a row here.
	 * @return the cases
	 */
	static Stream<Arguments> matchingCases() {
		return Stream.of(
				// '#' matches the parent level and any number of children [MQTT-4.7.1-2]
				Arguments.of("foo/#", "foo", true),
				Arguments.of("foo/#", "foo/", true),
				Arguments.of("foo/#", "foo/bar", true),
				Arguments.of("foo/#", "foo/bar/baz", true),
				Arguments.of("foo/#", "foobar", false),
				Arguments.of("foo/#", "fo", false),
				Arguments.of("sport/tennis/player1/#", "sport/tennis/player1", true),
				Arguments.of("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true),
				Arguments.of("#", "a", true),
				Arguments.of("#", "a/b/c", true),
				// '#' after '+': the '+' still needs its level
				Arguments.of("foo/+/#", "foo/bar", true),
				Arguments.of("foo/+/#", "foo/bar/baz/qux", true),
				Arguments.of("foo/+/#", "foo/", true),
				Arguments.of("foo/+/#", "foo", false),
				Arguments.of("+/#", "a", true),
				// '+' matches exactly one level and never spans levels [MQTT-4.7.1-3]
				Arguments.of("a/+", "a/b", true),
				Arguments.of("a/+", "a/b/c", false),
				Arguments.of("a/+", "a", false),
				Arguments.of("a/+", "a/", true),
				Arguments.of("+", "a", true),
				Arguments.of("+", "a/b", false),
				Arguments.of("+", "/", false),
				Arguments.of("sport/+/player1", "sport/tennis/player1", true),
				Arguments.of("sport/+/player1", "sport/tennis/x/player1", false),
				Arguments.of("+/+/+", "a/b/c", true),
				Arguments.of("+/+/+", "a/b", false),
				// '$' topics are not matched by a leading wildcard [MQTT-4.7.2-1]
				Arguments.of("#", "$SYS/x", false),
				Arguments.of("#", "$SYS", false),
				Arguments.of("+/x", "$SYS/x", false),
				Arguments.of("+", "$SYS", false),
				Arguments.of("+/#", "$SYS/x", false),
				Arguments.of("$SYS/#", "$SYS/x", true),
				Arguments.of("$SYS/#", "$SYS", true),
				Arguments.of("$SYS/+", "$SYS/x", true),
				Arguments.of("$SYS/monitor/+", "$SYS/monitor/Clients", true),
				Arguments.of("a/#", "a/$SYS", true),
				Arguments.of("a/+", "a/$x", true),
				Arguments.of("+/x", "a$/x", true),
				// empty levels are real levels
				Arguments.of("a/+/b", "a//b", true),
				Arguments.of("a/b", "a//b", false),
				Arguments.of("a//b", "a//b", true),
				Arguments.of("a//b", "a/b", false),
				Arguments.of("a/+/+/b", "a///b", true),
				Arguments.of("a", "a/", false),
				Arguments.of("a/", "a", false),
				Arguments.of("a/", "a/", true),
				// '/' edge cases
				Arguments.of("#", "/", true),
				Arguments.of("+/+", "/", true),
				Arguments.of("/+", "/x", true),
				Arguments.of("/+", "x", false),
				Arguments.of("+/+", "/finance", true),
				Arguments.of("/+", "/finance", true),
				Arguments.of("+", "/finance", false),
				Arguments.of("/#", "/x/y", true),
				Arguments.of("/#", "x/y", false),
				Arguments.of("/", "/", true),
				Arguments.of("//", "/", false),
				// literal levels compare exactly
				Arguments.of("a/b", "a/b", true),
				Arguments.of("A/b", "a/b", false),
				Arguments.of("a/b ", "a/b", false),
				Arguments.of("sensors/€/temp", "sensors/€/temp", true),
				// a shared subscription matches on the filter after '$share/{ShareName}/'
				Arguments.of("$share/g/a/+", "a/b", true),
				Arguments.of("$share/g/a/+", "$share/g/a/b", false),
				Arguments.of("$share/g/#", "a/b", true),
				Arguments.of("$share/g/#", "$SYS/x", false),
				Arguments.of("$share/g/$SYS/#", "$SYS/x", true));
	}

	@ParameterizedTest(name = "''{0}'' matches ''{1}'': {2}")
	@MethodSource("matchingCases")
	void matchesShouldFollowTheSpecification(String filter, String topicName, boolean expected) {
		assertThat(MqttTopics.matches(filter, topicName)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "a", "a/b", "/", "//", "a//b", "$SYS/broker/load", "sensors/€/temp", "😀/x", "a b",
			"$share/g/a" })
	void validateTopicNameWhenValidShouldNotThrow(String topicName) {
		assertThatNoException().isThrownBy(() -> MqttTopics.validateTopicName(topicName));
	}

	@Test
	void validateTopicNameWhenLongestInBytesShouldNotThrow() {
		assertThatNoException().isThrownBy(() -> MqttTopics.validateTopicName(LONGEST_MULTIBYTE));
		assertThatNoException().isThrownBy(() -> MqttTopics.validateTopicName("a".repeat(65_535)));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			a/+/b   | Invalid topic name 'a/+/b': wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]
			+       | Invalid topic name '+': wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]
			"#"     | Invalid topic name '#': wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]
			sport/# | Invalid topic name 'sport/#': wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]
			sport+  | Invalid topic name 'sport+': wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]
			a#b     | Invalid topic name 'a#b': wildcards '+' and '#' are not allowed in a topic name [MQTT-3.3.2-2]
			""      | Invalid topic name '': a topic name must be at least one character long [MQTT-4.7.3-1]
			""")
	void validateTopicNameWhenInvalidShouldThrowNamingTopicAndRule(String topicName, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName(topicName))
			.withMessage(message);
	}

	@Test
	void validateTopicNameWhenNullCharacterShouldThrowShowingItVisibly() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName("a/\u0000/b"))
			.withMessage("Invalid topic name 'a/\\u0000/b': "
					+ "a topic name must not contain the null character U+0000 [MQTT-4.7.3-2]");
	}

	@Test
	void validateTopicNameWhenUnpairedSurrogateShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName("a/\uD83D/b"))
			.withMessage("Invalid topic name 'a/\\uD83D/b': a topic name must be well-formed UTF-8 "
					+ "but contains the unpaired surrogate \\uD83D at index 2 [MQTT-1.5.4-1]");
	}

	@Test
	void validateTopicNameWhenTooManyBytesShouldCountBytesNotCharactersAndTruncateTheMessage() {
		assertThat(TOO_LONG_MULTIBYTE).hasSizeLessThan(65_535);
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName(TOO_LONG_MULTIBYTE))
			.withMessage("Invalid topic name '" + "€".repeat(100) + "…(65538 bytes)': a topic name must not "
					+ "encode to more than 65535 UTF-8 bytes but encodes to 65538 [MQTT-4.7.3-3]");
	}

	@Test
	void validateTopicNameWhenOneByteTooLongShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName("a".repeat(65_536)))
			.withMessageEndingWith("encodes to 65536 [MQTT-4.7.3-3]");
	}

	@Test
	void validateTopicNameWhenNullShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName(null))
			.withMessage("Invalid topic name null: a topic name must not be null");
	}

	@ParameterizedTest
	@ValueSource(strings = { "#", "+", "+/+", "/", "//", "a", "a/#", "a/+/b", "+/#", "/#", "a//b", "$SYS/#",
			"$share/g/a", "$share/g/#", "$share/g/+/x", "$share/g/$SYS/+", "$share", "$shared/a", "sensors/€/+" })
	void validateTopicFilterWhenValidShouldNotThrow(String filter) {
		assertThatNoException().isThrownBy(() -> MqttTopics.validateTopicFilter(filter));
	}

	@Test
	void validateTopicFilterWhenLongestInBytesShouldNotThrow() {
		assertThatNoException().isThrownBy(() -> MqttTopics.validateTopicFilter(LONGEST_MULTIBYTE));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			foo+        | Invalid topic filter 'foo+': '+' must occupy an entire level [MQTT-4.7.1-3]
			+foo        | Invalid topic filter '+foo': '+' must occupy an entire level [MQTT-4.7.1-3]
			sport+      | Invalid topic filter 'sport+': '+' must occupy an entire level [MQTT-4.7.1-3]
			a/++/b      | Invalid topic filter 'a/++/b': '+' must occupy an entire level [MQTT-4.7.1-3]
			+#          | Invalid topic filter '+#': '+' must occupy an entire level [MQTT-4.7.1-3]
			foo/#bar    | Invalid topic filter 'foo/#bar': '#' must occupy an entire level [MQTT-4.7.1-2]
			foo#        | Invalid topic filter 'foo#': '#' must occupy an entire level [MQTT-4.7.1-2]
			"##"        | Invalid topic filter '##': '#' must occupy an entire level [MQTT-4.7.1-2]
			a/#/b       | Invalid topic filter 'a/#/b': '#' must be the last level [MQTT-4.7.1-2]
			"#/a"       | Invalid topic filter '#/a': '#' must be the last level [MQTT-4.7.1-2]
			"#/"        | Invalid topic filter '#/': '#' must be the last level [MQTT-4.7.1-2]
			""          | Invalid topic filter '': a topic filter must be at least one character long [MQTT-4.7.3-1]
			$share/g    | Invalid topic filter '$share/g': a shared subscription must have the form '$share/{ShareName}/{filter}' [MQTT-4.8.2-2]
			$share/     | Invalid topic filter '$share/': a shared subscription must have the form '$share/{ShareName}/{filter}' [MQTT-4.8.2-2]
			$share/g/   | Invalid topic filter '$share/g/': a shared subscription's share name must be followed by '/' and a topic filter [MQTT-4.8.2-2]
			$share//a   | Invalid topic filter '$share//a': a shared subscription's share name must be at least one character long [MQTT-4.8.2-1]
			$share/g+/a | Invalid topic filter '$share/g+/a': a shared subscription's share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]
			$share/#/a  | Invalid topic filter '$share/#/a': a shared subscription's share name must not contain '/', '+' or '#' [MQTT-4.8.2-2]
			$share/g/a+ | Invalid topic filter '$share/g/a+': '+' must occupy an entire level [MQTT-4.7.1-3]
			$share/g/#/ | Invalid topic filter '$share/g/#/': '#' must be the last level [MQTT-4.7.1-2]
			""")
	void validateTopicFilterWhenInvalidShouldThrowNamingFilterAndRule(String filter, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicFilter(filter))
			.withMessage(message);
	}

	@Test
	void validateTopicFilterWhenNullCharacterShouldThrowShowingItVisibly() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicFilter("a/\u0000/#"))
			.withMessage("Invalid topic filter 'a/\\u0000/#': "
					+ "a topic filter must not contain the null character U+0000 [MQTT-4.7.3-2]");
	}

	@Test
	void validateTopicFilterWhenTooManyBytesShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicFilter(TOO_LONG_MULTIBYTE))
			.withMessageStartingWith("Invalid topic filter '€€€")
			.withMessageEndingWith("…(65538 bytes)': a topic filter must not encode to more than 65535 UTF-8 bytes "
					+ "but encodes to 65538 [MQTT-4.7.3-3]");
	}

	@Test
	void validateTopicFilterWhenNullShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicFilter(null))
			.withMessage("Invalid topic filter null: a topic filter must not be null");
	}

	@Test
	void matchesWhenFilterIsInvalidShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.matches("a/#/b", "a/x/b"))
			.withMessageContaining("'a/#/b'");
	}

	@Test
	void matchesWhenTopicNameHasWildcardShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.matches("a/+", "a/+"))
			.withMessageContaining("[MQTT-3.3.2-2]");
	}

	@Test
	void exceptionMessageShouldEscapeControlCharactersSoTheyCannotForgeLogLines() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName("a\nb/+"))
			.withMessageStartingWith("Invalid topic name 'a\\u000Ab/+': ");
	}

	@Test
	void exceptionMessageShouldNotCutASurrogatePairInHalf() {
		String topicName = "a".repeat(99) + "😀".repeat(40_000);
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.validateTopicName(topicName))
			.withMessageStartingWith("Invalid topic name '" + "a".repeat(99) + "…(160099 bytes)': ");
	}

}
