package io.mqttboot.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttInFlightTracker;
import io.mqttboot.core.MqttOperations;
import io.mqttboot.core.MqttPublishException;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.embedded.MqttEmbeddedBroker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API behind the dashboard page.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/api")
public class DashboardController {

	private final TelemetryStore store;

	private final SensorSimulator simulator;

	private final AlertStore alerts;

	private final ThresholdMonitor monitor;

	private final MqttOperations mqtt;

	private final MqttClientManager client;

	private final @Nullable MqttEmbeddedBroker broker;

	DashboardController(TelemetryStore store, SensorSimulator simulator, AlertStore alerts, ThresholdMonitor monitor,
			MqttOperations mqtt, MqttClientManager client, ObjectProvider<MqttEmbeddedBroker> broker) {
		this.store = store;
		this.simulator = simulator;
		this.alerts = alerts;
		this.monitor = monitor;
		this.mqtt = mqtt;
		this.client = client;
		this.broker = broker.getIfAvailable();
	}

	/**
	 * Return the readings received so far and what the simulator published.
	 * @return the telemetry
	 */
	@GetMapping("/telemetry")
	public Telemetry telemetry() {
		return new Telemetry(this.store.snapshot(), this.simulator.getStats());
	}

	/**
	 * Return the last alerts received on {@code alerts/+} and the thresholds that raise them.
	 * @return the alerts
	 */
	@GetMapping("/alerts")
	public Alerts alerts() {
		return new Alerts(this.alerts.last(), this.monitor.getStats());
	}

	/**
	 * Return the state of the MQTT client.
	 * @return the client state
	 */
	@GetMapping("/mqtt")
	public ClientStatus mqtt() {
		MqttInFlightTracker inFlight = this.client.getInFlight();
		Throwable cause = this.client.getLastDisconnectCause();
		return new ClientStatus(this.client.getState().name(), this.client.getClientId(),
				this.client.getServerUri().toString(), this.client.getConnectedSince(),
				this.client.getReconnectAttempts(), (cause != null) ? cause.getMessage() : null,
				new InFlight(inFlight.getOutgoingQos1(), inFlight.getOutgoingQos2(), inFlight.getIncomingQos1(),
						inFlight.getIncomingQos2()),
				this.client.getOutboxSize(), (this.broker != null) ? this.broker.getUrl() : null);
	}

	/**
	 * Publish a message and wait for the broker's acknowledgement.
	 * @param request the message
	 * @return 200 with the result; 400 naming the problem for an invalid topic name or
	 * QoS; 503 when the message could not be published in time
	 */
	@PostMapping("/publish")
	public ResponseEntity<?> publish(@RequestBody PublishRequest request) {
		if (request.topic() == null || request.topic().isEmpty()) {
			return problem(HttpStatus.BAD_REQUEST, "Invalid publish request", "A topic name is required", null);
		}
		String topic = request.topic();
		MqttOperations.PublishBuilder message;
		try {
			String payload = (request.payload() != null) ? request.payload() : "";
			message = this.mqtt.newMessage(payload.getBytes(StandardCharsets.UTF_8))
				.topic(topic)
				.qos((request.qos() != null) ? request.qos() : 1)
				.retain(Boolean.TRUE.equals(request.retain()));
		}
		catch (IllegalArgumentException ex) {
			// The message names the topic and the rule it breaks.
			return problem(HttpStatus.BAD_REQUEST, "Invalid publish request", ex.getMessage(), topic);
		}
		try {
			MqttPublishResult result = message.publish();
			return ResponseEntity.ok(result);
		}
		catch (MqttPublishException ex) {
			return problem(HttpStatus.SERVICE_UNAVAILABLE, "Message not published", ex.getMessage(), topic);
		}
	}

	private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, @Nullable String detail,
			@Nullable String topic) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, (detail != null) ? detail : title);
		problem.setTitle(title);
		if (topic != null) {
			problem.setProperty("topic", topic);
		}
		return ResponseEntity.status(status).body(problem);
	}

	/**
	 * A message to publish.
	 *
	 * @param topic the topic name; wildcards are not allowed
	 * @param payload the payload as text, empty when absent
	 * @param qos the QoS, 1 when absent
	 * @param retain whether the broker retains the message, false when absent
	 */
	public record PublishRequest(@Nullable String topic, @Nullable String payload, @Nullable Integer qos,
			@Nullable Boolean retain) {

	}

	/**
	 * Readings received and simulator statistics.
	 *
	 * @param devices what the store holds per device
	 * @param simulator what the simulator published
	 */
	public record Telemetry(List<TelemetryStore.DeviceTelemetry> devices, SensorSimulator.Stats simulator) {

	}

	/**
	 * The last alerts and what raises them.
	 *
	 * @param last the last alerts received from the broker, newest first
	 * @param monitor the thresholds and how many alerts were published
	 */
	public record Alerts(List<Alert> last, ThresholdMonitor.Stats monitor) {

	}

	/**
	 * The state of the MQTT client.
	 *
	 * @param state CONNECTING, CONNECTED, RECONNECTING or DISCONNECTED
	 * @param clientId the MQTT client identifier
	 * @param serverUri the broker the client connects to
	 * @param connectedSince when the current connection was established, if connected
	 * @param reconnectAttempts failed attempts since the last successful connection
	 * @param lastDisconnectCause why the connection was last lost, if it was
	 * @param inFlight QoS 1 and 2 messages awaiting acknowledgement
	 * @param outboxSize messages waiting for the connection
	 * @param embeddedBroker the URL of the embedded broker, if one runs
	 */
	public record ClientStatus(String state, String clientId, String serverUri, @Nullable Instant connectedSince,
			int reconnectAttempts, @Nullable String lastDisconnectCause, InFlight inFlight, int outboxSize,
			@Nullable String embeddedBroker) {

	}

	/**
	 * In-flight counters.
	 *
	 * @param outgoingQos1 published QoS 1 messages awaiting PUBACK
	 * @param outgoingQos2 published QoS 2 messages awaiting PUBCOMP
	 * @param incomingQos1 received QoS 1 messages not yet acknowledged
	 * @param incomingQos2 received QoS 2 messages not yet acknowledged
	 */
	public record InFlight(int outgoingQos1, int outgoingQos2, int incomingQos1, int incomingQos2) {

	}

}
