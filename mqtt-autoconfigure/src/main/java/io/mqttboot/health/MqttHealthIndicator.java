package io.mqttboot.health;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttSubscriptionStatus;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of one MQTT client: UP when connected and receiving, DOWN otherwise (also while
 * a connected client's flow of incoming messages is being renewed after it failed), with details an operator
 * needs to tell why: connection state, client id, server URI (never with user-info), the
 * last disconnect reason with the MQTT 5 reason code, reconnect attempts, time since
 * connected and refused subscriptions. Reads the client's state; owns none.
 *
 * @since 0.1.0
 */
public class MqttHealthIndicator extends AbstractHealthIndicator {

	private final MqttClientManager clientManager;

	/**
	 * Create an indicator.
	 * @param clientManager the client
	 */
	public MqttHealthIndicator(MqttClientManager clientManager) {
		super("MQTT health check failed");
		this.clientManager = clientManager;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		MqttClientManager client = this.clientManager;
		String inboundFailure = client.getInboundFailure();
		if (client.isConnected() && inboundFailure == null) {
			builder.up();
		}
		else {
			builder.down();
		}
		builder.withDetail("state", client.getState())
			.withDetail("clientId", client.getClientId())
			.withDetail("serverUri", client.getServerUri().toString())
			.withDetail("serverUris", client.getServerUris().stream().map(URI::toString).toList())
			.withDetail("sessionPresent", client.isSessionPresent())
			.withDetail("reconnectAttempts", client.getReconnectAttempts());
		Instant connectedSince = client.getConnectedSince();
		if (connectedSince != null) {
			builder.withDetail("connectedFor", Duration.between(connectedSince, Instant.now()).withNanos(0).toString());
		}
		String reason = client.getLastDisconnectReason();
		if (reason != null) {
			builder.withDetail("lastDisconnectReason", reason);
		}
		if (inboundFailure != null) {
			builder.withDetail("inboundFailure", "not receiving messages (incoming messages are acknowledged without"
					+ " being delivered until the flow is renewed): " + inboundFailure);
		}
		if (client.getInboundFailureCount() > 0) {
			builder.withDetail("inboundFailures", client.getInboundFailureCount());
			String last = client.getLastInboundFailure();
			if (last != null) {
				builder.withDetail("lastInboundFailure", last);
			}
		}
		if (client.getSessionTakeOverCount() > 0) {
			builder.withDetail("sessionTakeOvers", client.getSessionTakeOverCount())
				.withDetail("sessionTakeOverWarning", "another connection uses client id '" + client.getClientId()
						+ "'; give each application instance a unique mqtt.client-id");
		}
		List<String> refused = client.getSubscriptions()
			.stream()
			.filter(MqttSubscriptionStatus::isRefused)
			.map((status) -> status.filter() + " (reason code 0x" + Integer.toHexString(status.reasonCode()) + ")")
			.toList();
		if (!refused.isEmpty()) {
			builder.withDetail("refusedSubscriptions", refused);
		}
	}

}
