package io.mqttboot.actuate.endpoint;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write operations of the {@code mqtt} endpoint over HTTP: pausing and resuming a
 * listener with a body that names only {@code paused}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=mqtt",
				"management.endpoint.mqtt.access=unrestricted" })
class MqttEndpointHttpIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@DynamicPropertySource
	static void mqttProperties(DynamicPropertyRegistry registry) {
		registry.add("mqtt.url", broker::getUrl);
	}

	@LocalServerPort
	int port;

	@Autowired
	MqttListenerEndpointRegistry registry;

	private final HttpClient http = HttpClient.newHttpClient();

	private HttpResponse<String> post(String path, String json) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void postingPausedShouldPauseAndResumeTheListener() throws Exception {
		HttpResponse<String> paused = post("/actuator/mqtt/ingest", "{\"paused\": true}");
		assertThat(paused.statusCode()).isEqualTo(200);
		assertThat(paused.body()).contains("\"paused\":true").contains("\"running\":true");
		assertThat(this.registry.isPaused("ingest")).isTrue();
		HttpResponse<String> resumed = post("/actuator/mqtt/ingest", "{\"paused\": false}");
		assertThat(resumed.statusCode()).isEqualTo(200);
		assertThat(resumed.body()).contains("\"paused\":false");
		assertThat(this.registry.isPaused("ingest")).isFalse();
		HttpResponse<String> unknown = post("/actuator/mqtt/unknown", "{\"paused\": true}");
		assertThat(unknown.statusCode()).as("no such listener: no content").isEqualTo(204);
		assertThat(unknown.body()).isEmpty();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class IngestApplication {

		@MqttListener(id = "ingest", topics = "ingest/+", qos = 1)
		void onMessage(String payload) {
		}

	}

}
