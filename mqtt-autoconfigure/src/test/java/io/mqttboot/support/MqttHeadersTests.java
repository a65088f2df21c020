package io.mqttboot.support;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MqttHeaders}: which received user properties keep their own name as header.
 */
class MqttHeadersTests {

	@ParameterizedTest
	@CsvSource({ "site, site", "ID, ID", "identifier, identifier", "id, mqtt_userProperty_id",
			"timestamp, mqtt_userProperty_timestamp", "contentType, mqtt_userProperty_contentType",
			"replyChannel, mqtt_userProperty_replyChannel", "errorChannel, mqtt_userProperty_errorChannel",
			"mqtt_receivedTopic, mqtt_userProperty_mqtt_receivedTopic",
			"mqtt_userProperty_id, mqtt_userProperty_mqtt_userProperty_id", "mqtt, mqtt" })
	void userPropertyHeaderNameShouldPrefixOnlyReservedNames(String name, String header) {
		assertThat(MqttHeaders.userPropertyHeaderName(name)).isEqualTo(header);
	}

}
