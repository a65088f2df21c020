package io.mqttboot.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health, the {@code mqtt} endpoint, {@code env} and {@code configprops} over HTTP in a
 * full application: health follows the broker, and no secret shows anywhere.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "mqtt.keep-alive=3", "mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=300ms",
				"mqtt.username=alice", "mqtt.password=" + MqttHealthHttpIntegrationTests.PASSWORD,
				"mqtt.clients.audit.url=tcp://carol:" + MqttHealthHttpIntegrationTests.URL_PASSWORD
						+ "@127.0.0.1:1",
				"mqtt.clients.audit.password=" + MqttHealthHttpIntegrationTests.NAMED_PASSWORD,
				"mqtt.clients.audit.reconnect.initial-delay=1h", "mqtt.clients.audit.reconnect.max-delay=1h",
				"management.endpoints.web.exposure.include=health,mqtt,env,configprops",
				"management.endpoint.health.show-details=always", "management.endpoint.env.show-values=always",
				"management.endpoint.configprops.show-values=always" })
@ExtendWith(OutputCaptureExtension.class)
class MqttHealthHttpIntegrationTests {

	static final String PASSWORD = "Pw-default-8e1f";

	static final String URL_PASSWORD = "Pw-url-77c2";

	static final String NAMED_PASSWORD = "Pw-named-3b9d";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().user("alice", PASSWORD).build();

	@DynamicPropertySource
	static void mqttProperties(DynamicPropertyRegistry registry) {
		registry.add("mqtt.url", broker::getUrl);
	}

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	@AfterEach
	void restartBroker() {
		if (!broker.get().isRunning()) {
			broker.get().start();
		}
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void healthShouldBeDownWhileTheBrokerIsStoppedAndUpAgainAfterItRestarts() {
		await().untilAsserted(() -> assertThat(get("/actuator/health/mqtt/default").body()).contains("\"UP\""));
		broker.get().stop();
		// Within one keep-alive (3 s): a stopped broker closes the socket, which the client sees at once.
		await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			HttpResponse<String> response = get("/actuator/health/mqtt/default");
			assertThat(response.statusCode()).isEqualTo(503);
			assertThat(response.body()).contains("\"DOWN\"").contains("RECONNECTING").contains("lastDisconnectReason");
		});
		broker.get().start();
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(get("/actuator/health/mqtt/default").body()).contains("\"UP\""));
	}

	@Test
	void healthAndEndpointShouldDescribeEveryClient() throws Exception {
		await().untilAsserted(() -> assertThat(get("/actuator/health/mqtt/default").statusCode()).isEqualTo(200));
		String health = get("/actuator/health").body();
		assertThat(health).contains("\"mqtt\"").contains("\"default\"").contains("\"audit\"")
			.contains("\"serverUri\":\"tcp://127.0.0.1:1\"");
		String mqtt = get("/actuator/mqtt").body();
		assertThat(mqtt).contains("\"clients\"").contains("\"outgoingQos1\":0").contains("\"incomingQos2\":0")
			.contains("\"outbox\":0").contains("\"state\":\"CONNECTED\"");
	}

	@Test
	void secretsShouldAppearNowhere(CapturedOutput output) throws Exception {
		await().untilAsserted(() -> assertThat(get("/actuator/health/mqtt/default").statusCode()).isEqualTo(200));
		String env = get("/actuator/env").body();
		String configprops = get("/actuator/configprops").body();
		String health = get("/actuator/health").body();
		String mqtt = get("/actuator/mqtt").body();
		// Shown values are really shown: the test would notice if nothing were.
		assertThat(env).contains("mqtt.username").contains("alice");
		assertThat(configprops).contains("\"username\":\"alice\"");
		for (String body : new String[] { env, configprops, health, mqtt, output.getAll() }) {
			assertThat(body).doesNotContain(PASSWORD).doesNotContain(URL_PASSWORD).doesNotContain(NAMED_PASSWORD);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class HealthApplication {

	}

}
