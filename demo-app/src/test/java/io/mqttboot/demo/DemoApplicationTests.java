package io.mqttboot.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.mqttboot.embedded.MqttEmbeddedBroker;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the demo application, with its embedded broker on a free port.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "mqtt.embedded.port=0")
class DemoApplicationTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private MqttEmbeddedBroker broker;

	@Test
	void clientShouldConnectToTheEmbeddedBroker() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode status = getJson("/api/mqtt");
			assertThat(status.get("state").asString()).isEqualTo("CONNECTED");
			assertThat(status.get("serverUri").asString()).isEqualTo(this.broker.getUrl());
			assertThat(status.get("clientId").asString()).startsWith("telemetry-demo-");
			assertThat(status.get("inFlight").has("outgoingQos1")).isTrue();
			assertThat(status.has("outboxSize")).isTrue();
		});
	}

	@Test
	void publishWithWildcardTopicShouldAnswerBadRequestNamingTheTopic() throws Exception {
		HttpResponse<String> response = post("/api/publish", "{\"topic\":\"a/+/b\",\"payload\":\"x\",\"qos\":1}");
		assertThat(response.statusCode()).isEqualTo(400);
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.get("detail").asString()).contains("'a/+/b'").contains("wildcard");
		assertThat(problem.get("topic").asString()).isEqualTo("a/+/b");
		assertThat(get("/api/mqtt").statusCode()).isEqualTo(200);
	}

	@Test
	void publishWithInvalidQosShouldAnswerBadRequest() throws Exception {
		HttpResponse<String> response = post("/api/publish", "{\"topic\":\"a/b\",\"payload\":\"x\",\"qos\":3}");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(this.json.readTree(response.body()).get("detail").asString()).contains("3");
	}

	@Test
	void publishWithoutTopicShouldAnswerBadRequest() throws Exception {
		HttpResponse<String> response = post("/api/publish", "{\"payload\":\"x\"}");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(this.json.readTree(response.body()).get("detail").asString()).contains("topic");
	}

	@Test
	void publishShouldReachTheBroker() throws Exception {
		List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
		Mqtt5AsyncClient subscriber = connect();
		try {
			subscriber.subscribeWith()
				.topicFilter("manual/test")
				.qos(MqttQos.EXACTLY_ONCE)
				.callback(received::add)
				.send()
				.join();
			HttpResponse<String> response = post("/api/publish",
					"{\"topic\":\"manual/test\",\"payload\":\"hello\",\"qos\":2,\"retain\":false}");
			assertThat(response.statusCode()).isEqualTo(200);
			JsonNode result = this.json.readTree(response.body());
			assertThat(result.get("topic").asString()).isEqualTo("manual/test");
			assertThat(result.get("qos").asInt()).isEqualTo(2);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).singleElement()
				.satisfies((publish) -> {
					assertThat(publish.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
					assertThat(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
				}));
		}
		finally {
			subscriber.disconnect().join();
		}
	}

	@Test
	void simulatorShouldPublishJsonReadingsAndRetainedStatus() {
		List<Mqtt5Publish> readings = new CopyOnWriteArrayList<>();
		List<Mqtt5Publish> statuses = new CopyOnWriteArrayList<>();
		Mqtt5AsyncClient subscriber = connect();
		try {
			subscriber.subscribeWith()
				.topicFilter("sensors/living-room/+")
				.qos(MqttQos.AT_LEAST_ONCE)
				.callback(readings::add)
				.send()
				.join();
			subscriber.subscribeWith()
				.topicFilter("devices/+/status")
				.qos(MqttQos.AT_LEAST_ONCE)
				.callback(statuses::add)
				.send()
				.join();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(readings).extracting((publish) -> publish.getTopic().toString())
					.contains("sensors/living-room/temperature", "sensors/living-room/humidity");
				assertThat(statuses).filteredOn(Mqtt5Publish::isRetain).hasSizeGreaterThanOrEqualTo(6);
			});
			JsonNode reading = this.json.readTree(readings.get(0).getPayloadAsBytes());
			assertThat(reading.get("deviceId").asString()).isEqualTo("living-room");
			assertThat(reading.get("metric").asString()).isIn("temperature", "humidity");
			assertThat(reading.get("value").isNumber()).isTrue();
			assertThat(reading.get("at").asString()).endsWith("Z");
		}
		finally {
			subscriber.disconnect().join();
		}
	}

	@Test
	void telemetryShouldShowReadingsAndStatusesReceivedByTheListeners() {
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			JsonNode telemetry = getJson("/api/telemetry");
			List<String> simulated = telemetry.get("simulator").get("devices").valueStream().map(JsonNode::asString).toList();
			assertThat(simulated).hasSize(6);
			// Other tests of this shared context publish readings of their own devices.
			List<JsonNode> devices = telemetry.get("devices")
				.valueStream()
				.filter((device) -> simulated.contains(device.get("deviceId").asString()))
				.toList();
			assertThat(devices).hasSize(6);
			for (JsonNode device : devices) {
				assertThat(device.get("status").asString()).isIn("online", "offline");
				assertThat(device.get("metrics").has("temperature")).isTrue();
				assertThat(device.get("metrics").has("humidity")).isTrue();
			}
		});
	}

	@Test
	void readingsCrossingTheThresholdShouldRaiseOneAlertPerCrossingOverTheBrokerAtQos2() throws Exception {
		List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
		Mqtt5AsyncClient subscriber = connect();
		try {
			subscriber.subscribeWith()
				.topicFilter("alerts/+")
				.qos(MqttQos.EXACTLY_ONCE)
				.callback(received::add)
				.send()
				.join();
			for (double value : new double[] { 20.0, 30.5, 31.0, 20.0, 29.0 }) {
				String reading = this.json
					.writeValueAsString(new Reading("alert-test", "temperature", value, Instant.parse("2025-01-01T12:00:00Z")));
				HttpResponse<String> response = post("/api/publish", this.json.writeValueAsString(
						Map.of("topic", "sensors/alert-test/temperature", "payload", reading, "qos", 1)));
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			}
			// Alerts are published in the order of the readings: had 31.0 raised one, it would come before 29.0.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				List<Mqtt5Publish> alerts = received.stream()
					.filter((publish) -> publish.getTopic().toString().equals("alerts/alert-test"))
					.toList();
				assertThat(alerts).extracting(Mqtt5Publish::getQos).containsOnly(MqttQos.EXACTLY_ONCE);
				assertThat(alerts).extracting((publish) -> this.json.readTree(publish.getPayloadAsBytes()).get("value").asDouble())
					.containsExactly(30.5, 29.0);
				JsonNode alert = this.json.readTree(alerts.get(0).getPayloadAsBytes());
				assertThat(alert.get("deviceId").asString()).isEqualTo("alert-test");
				assertThat(alert.get("metric").asString()).isEqualTo("temperature");
				assertThat(alert.get("threshold").asDouble()).isEqualTo(28.0);
				assertThat(getJson("/api/alerts").get("last").valueStream()
					.filter((last) -> last.get("deviceId").asString().equals("alert-test"))
					.map((last) -> last.get("value").asDouble())).containsExactly(29.0, 30.5);
			});
		}
		finally {
			subscriber.disconnect().join();
		}
	}

	@Test
	void actuatorShouldExposeMqttHealthWithDetailsTheMqttEndpointAndMqttMetrics() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			JsonNode health = getJson("/actuator/health/mqtt");
			assertThat(health.get("status").asString()).isEqualTo("UP");
			assertThat(health.get("details").get("state").asString()).isEqualTo("CONNECTED");
			assertThat(health.get("details").get("serverUri").asString()).isEqualTo(this.broker.getUrl());
			JsonNode client = getJson("/actuator/mqtt").get("clients").get("default");
			assertThat(client.get("state").asString()).isEqualTo("CONNECTED");
			assertThat(client.get("listeners").valueStream().map((listener) -> listener.get("id").asString()))
				.contains("readings", "statuses", "thresholds", "alerts");
			JsonNode published = getJson("/actuator/metrics/mqtt.messages.published");
			assertThat(published.get("measurements").get(0).get("value").asDouble()).isPositive();
		});
	}

	@Test
	void dashboardPageShouldBeServed() throws Exception {
		HttpResponse<String> response = get("/");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body())
			.contains("createElement(\"canvas\")", "api/telemetry", "api/mqtt", "api/publish", "api/alerts",
					"href=\"actuator/health/mqtt\"", "href=\"actuator/mqtt\"", "href=\"actuator/metrics\"")
			.doesNotContain("http://", "https://");
	}

	private Mqtt5AsyncClient connect() {
		Mqtt5AsyncClient client = Mqtt5Client.builder()
			.identifier("demo-test-" + UUID.randomUUID())
			.serverHost("127.0.0.1")
			.serverPort(this.broker.getPort())
			.buildAsync();
		client.connect().join();
		return client;
	}

	private JsonNode getJson(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = get(path);
		assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
