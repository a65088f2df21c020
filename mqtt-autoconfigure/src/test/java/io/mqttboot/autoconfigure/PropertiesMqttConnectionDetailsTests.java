package io.mqttboot.autoconfigure;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link PropertiesMqttConnectionDetails}: {@code mqtt.url} and the server list
 * {@code mqtt.urls}.
 */
class PropertiesMqttConnectionDetailsTests {

	@Test
	void urlAloneShouldBeTheOnlyServer() {
		MqttClientProperties properties = new MqttClientProperties();
		properties.setUrl("tcp://broker-a:1884");
		PropertiesMqttConnectionDetails details = new PropertiesMqttConnectionDetails(properties);
		assertThat(details.getServerUris()).containsExactly(URI.create("tcp://broker-a:1884"));
	}

	@Test
	void urlsShouldBeTheServersInOrderWithoutUserInfo() {
		MqttClientProperties properties = urls("tcp://bob:p%40ss@node-1:1883", "tcp://node-2:1883",
				"mqtt://bob:p%40ss@node-3:1884");
		PropertiesMqttConnectionDetails details = new PropertiesMqttConnectionDetails(properties);
		assertThat(details.getServerUris()).containsExactly(URI.create("tcp://node-1:1883"),
				URI.create("tcp://node-2:1883"), URI.create("mqtt://node-3:1884"));
		assertThat(details.getServerUri()).isEqualTo(URI.create("tcp://node-1:1883"));
		assertThat(details.getUsername()).isEqualTo("bob");
		assertThat(details.getPassword()).isEqualTo("p@ss");
	}

	@Test
	void urlAndUrlsBothSetShouldFailNamingBoth() {
		MqttClientProperties properties = urls("tcp://node-1:1883", "tcp://node-2:1883");
		properties.setUrl("tcp://other:1883");
		assertThatExceptionOfType(InvalidMqttUrlException.class)
			.isThrownBy(() -> new PropertiesMqttConnectionDetails(properties))
			.withMessageContaining("both mqtt.url and mqtt.urls are set");
	}

	@Test
	void invalidUrlOfAListShouldNameItsIndexWithoutEchoingIt() {
		MqttClientProperties properties = urls("tcp://node-1:1883", "tcp://bob:hunter2@@ bad host");
		assertThatExceptionOfType(InvalidMqttUrlException.class)
			.isThrownBy(() -> new PropertiesMqttConnectionDetails(properties))
			.withMessageStartingWith("Invalid MQTT url (mqtt.urls[1]): expected scheme://host[:port]")
			.withMessageNotContaining("hunter2");
	}

	@Test
	void urlsOfDifferentTransportsShouldFailNamingTheIndex() {
		MqttClientProperties properties = urls("ssl://node-1:8883", "mqtts://node-2:8883", "tcp://node-3:1883");
		assertThatExceptionOfType(InvalidMqttUrlException.class)
			.isThrownBy(() -> new PropertiesMqttConnectionDetails(properties))
			.withMessageStartingWith("Invalid MQTT url (mqtt.urls[2]): the scheme 'tcp' differs from the one of"
					+ " mqtt.urls[0] ('ssl')");
	}

	@Test
	void urlsWithDifferentUserInfoShouldFailWithoutEchoingIt() {
		MqttClientProperties properties = urls("tcp://bob:one@node-1:1883", "tcp://node-2:1883",
				"tcp://bob:two@node-3:1883");
		assertThatExceptionOfType(InvalidMqttUrlException.class)
			.isThrownBy(() -> new PropertiesMqttConnectionDetails(properties))
			.withMessageStartingWith("Invalid MQTT url (mqtt.urls[2]): its user-info differs")
			.withMessageNotContaining("bob:one")
			.withMessageNotContaining("bob:two");
	}

	@Test
	void urlsOfANamedClientShouldBeNamedWithTheClient() {
		MqttClientProperties properties = urls("tcp://node-1:1883", "http://node-2:1883");
		assertThatExceptionOfType(InvalidMqttUrlException.class)
			.isThrownBy(() -> new PropertiesMqttConnectionDetails(properties, "mqtt.clients.telemetry.url"))
			.withMessageStartingWith("Invalid MQTT url (mqtt.clients.telemetry.urls[1]): the scheme 'http'");
	}

	private static MqttClientProperties urls(String... urls) {
		MqttClientProperties properties = new MqttClientProperties();
		properties.setUrls(List.of(urls));
		return properties;
	}

}
