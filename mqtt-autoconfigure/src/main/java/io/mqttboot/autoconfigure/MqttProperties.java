package io.mqttboot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for MQTT: the default client under {@code mqtt.*} and extra
 * clients under {@code mqtt.clients.<name>.*}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("mqtt")
public class MqttProperties extends MqttClientProperties {

	/**
	 * Maximum time to wait on shutdown for listeners to finish and outgoing messages to be
	 * acknowledged before disconnecting.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	/**
	 * Extra clients, each with its own connection, by name.
	 */
	private final Map<String, MqttClientProperties> clients = new LinkedHashMap<>();

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Map<String, MqttClientProperties> getClients() {
		return this.clients;
	}

}
