package io.mqttboot.support;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TopicTemplate}.
 */
class TopicTemplateTests {

	@ParameterizedTest(name = "''{0}'' -> ''{1}'' {2}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			sensors/{deviceId}/temp       | sensors/+/temp             | deviceId
			sensors/{deviceId}/#          | sensors/+/#                | deviceId
			{site}/{deviceId}/temp        | +/+/temp                   | site,deviceId
			sensors/{deviceId}/{_kind$}   | sensors/+/+                | deviceId,_kind$
			a//{x}                        | a//+                       | x
			sensors/+/temp                | sensors/+/temp             | ""
			"#"                           | "#"                        | ""
			$SYS/broker/{stat}            | $SYS/broker/+              | stat
			$share/workers/sensors/{id}/# | $share/workers/sensors/+/# | id
			""")
	void ofShouldReplaceVariablesWithSingleLevelWildcards(String template, String filter, String names) {
		TopicTemplate topicTemplate = TopicTemplate.of(template);
		assertThat(topicTemplate.getTemplate()).isEqualTo(template);
		assertThat(topicTemplate.getFilter()).isEqualTo(filter);
		assertThat(topicTemplate.getVariableNames()).isEqualTo(split(names));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			sensors/dev{id}/temp | a variable must occupy an entire level, as in 'a/{name}/b'
			sensors/{id}x/temp   | a variable must occupy an entire level, as in 'a/{name}/b'
			sensors/{id          | a variable must occupy an entire level, as in 'a/{name}/b'
			sensors/id}          | a variable must occupy an entire level, as in 'a/{name}/b'
			sensors/{{id}}       | a variable must occupy an entire level, as in 'a/{name}/b'
			sensors/{a}{b}       | a variable must occupy an entire level, as in 'a/{name}/b'
			sensors/{}/temp      | variable name '' is not a valid Java identifier
			sensors/{1st}/temp   | variable name '1st' is not a valid Java identifier
			sensors/{device-id}  | variable name 'device-id' is not a valid Java identifier
			sensors/{ id }       | variable name ' id ' is not a valid Java identifier
			a/{x}/b/{x}          | variable name 'x' is used more than once
			a/{x}/#/b            | '#' must be the last level [MQTT-4.7.1-2]
			a/{x}+               | a variable must occupy an entire level, as in 'a/{name}/b'
			a/{x}/b+             | '+' must occupy an entire level [MQTT-4.7.1-3]
			""                   | a topic filter must be at least one character long [MQTT-4.7.3-1]
			$share/{group}/a     | variables are not allowed in the share name
			$share/g             | a shared subscription must have the form '$share/{ShareName}/{filter}' [MQTT-4.8.2-2]
			$share//{x}          | a shared subscription's share name must be at least one character long [MQTT-4.8.2-1]
			""")
	void ofWhenInvalidShouldThrowNamingTemplateAndRule(String template, String problem) {
		assertThatIllegalArgumentException().isThrownBy(() -> TopicTemplate.of(template))
			.withMessage("Invalid topic template '" + template + "': " + problem);
	}

	@ParameterizedTest(name = "''{0}'' with ''{1}'' -> {2}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			sensors/{deviceId}/temp     | sensors/kitchen/temp         | deviceId=kitchen
			sensors/{deviceId}/#        | sensors/kitchen/temp/celsius | deviceId=kitchen
			sensors/{deviceId}/#        | sensors/kitchen              | deviceId=kitchen
			{site}/{deviceId}/temp      | berlin/7/temp                | site=berlin,deviceId=7
			{deviceId}/{site}/temp      | berlin/7/temp                | deviceId=berlin,site=7
			a/{x}/b                     | a//b                         | x=
			{x}/+/{y}                   | /a/                          | x=,y=
			$SYS/broker/{stat}          | $SYS/broker/load             | stat=load
			$share/workers/sensors/{id} | sensors/9                    | id=9
			sensors/+/temp              | sensors/kitchen/temp         | ""
			sensors/temp                | sensors/temp                 | ""
			""")
	void extractVariablesShouldReturnLevelValuesInTemplateOrder(String template, String topicName,
			String expected) {
		Map<String, String> variables = TopicTemplate.of(template).extractVariables(topicName);
		assertThat(variables).containsExactlyEntriesOf(parse(expected));
		assertThat(variables.keySet()).containsExactlyElementsOf(TopicTemplate.of(template).getVariableNames());
	}

	@ParameterizedTest(name = "''{0}'' with ''{1}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			sensors/{id}/temp     | sensors/a/hum
			sensors/{id}/temp     | sensors/a
			sensors/{id}/temp     | sensors/a/temp/x
			sensors/{id}/temp     | sensors//a/temp
			sensors/{id}/temp     | sensors/a/temperature
			sensors/{id}/temp     | sensors/a/tem
			sensors/{id}/temp     | sensors/a/temp/
			sensors/{id}/temp     | sensor/a/temp
			{x}/{y}               | a
			{x}/{y}               | a/b/c
			sensors/{id}/#        | sensors
			{x}/temp              | $SYS/temp
			"#"                   | $SYS/x
			$share/g/sensors/{id} | $share/g/sensors/9
			""")
	void extractVariablesWhenTopicDoesNotMatchShouldThrow(String template, String topicName) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TopicTemplate.of(template).extractVariables(topicName))
			.withMessage("Topic name '" + topicName + "' does not match topic template '" + template + "'");
	}

	@Test
	void extractVariablesShouldReturnUnmodifiableMap() {
		Map<String, String> variables = TopicTemplate.of("a/{x}").extractVariables("a/b");
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> variables.put("y", "z"));
	}

	@Test
	void getVariableNamesShouldBeUnmodifiable() {
		List<String> names = TopicTemplate.of("a/{x}").getVariableNames();
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> names.add("y"));
	}

	@Test
	void filterOfTemplateShouldMatchTheTopicsVariablesAreExtractedFrom() {
		TopicTemplate template = TopicTemplate.of("sensors/{deviceId}/#");
		assertThat(MqttTopics.matches(template.getFilter(), "sensors/kitchen/temp")).isTrue();
		assertThat(template.extractVariables("sensors/kitchen/temp")).containsEntry("deviceId", "kitchen");
	}

	@Test
	void equalsHashCodeAndToStringShouldUseTheTemplate() {
		assertThat(TopicTemplate.of("a/{x}")).isEqualTo(TopicTemplate.of("a/{x}"))
			.hasSameHashCodeAs(TopicTemplate.of("a/{x}"))
			.isNotEqualTo(TopicTemplate.of("a/{y}"))
			.hasToString("a/{x}");
	}

	private static List<String> split(String names) {
		return names.isEmpty() ? List.of() : Arrays.asList(names.split(","));
	}

	private static Map<String, String> parse(String entries) {
		Map<String, String> map = new LinkedHashMap<>();
		for (String entry : split(entries)) {
			int equals = entry.indexOf('=');
			map.put(entry.substring(0, equals), entry.substring(equals + 1));
		}
		return map;
	}

}
