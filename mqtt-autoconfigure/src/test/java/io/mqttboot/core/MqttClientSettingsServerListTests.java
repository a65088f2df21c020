package io.mqttboot.core;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for the server list of {@link MqttClientSettings}.
 */
class MqttClientSettingsServerListTests {

	@Test
	void serverUrisShouldKeepTheirOrderWithoutUserInfo() {
		MqttClientSettings settings = MqttClientSettings.builder()
			.clientId("c")
			.serverUris(List.of(URI.create("tcp://bob:secret@node-1:1883"), URI.create("mqtt://node-2:1884")))
			.build();
		assertThat(settings.getServerUris()).containsExactly(URI.create("tcp://node-1:1883"),
				URI.create("mqtt://node-2:1884"));
		assertThat(settings.getServerUri()).isEqualTo(URI.create("tcp://node-1:1883"));
		assertThat(settings).hasToString(
				"MqttClientSettings[serverUris=[tcp://node-1:1883, mqtt://node-2:1884], clientId=c, version=MQTT_5_0,"
						+ " cleanStart=true, sessionExpiry=PT0S]");
	}

	@Test
	void serverUrisOfAnotherTransportShouldBeRejectedNamingThePosition() {
		MqttClientSettings.Builder builder = MqttClientSettings.builder()
			.clientId("c")
			.serverUris(List.of(URI.create("wss://node-1/mqtt"), URI.create("ws://node-2/mqtt")));
		assertThatIllegalArgumentException().isThrownBy(builder::build)
			.withMessageStartingWith("Server URI 2 of 2 ('ws://node-2/mqtt') uses another transport than the first"
					+ " ('wss://node-1/mqtt')");
	}

	@Test
	void emptyServerListShouldBeRejected() {
		MqttClientSettings.Builder builder = MqttClientSettings.builder().clientId("c").serverUris(List.of());
		assertThatIllegalArgumentException().isThrownBy(builder::build)
			.withMessage("at least one server URI is required");
	}

}
