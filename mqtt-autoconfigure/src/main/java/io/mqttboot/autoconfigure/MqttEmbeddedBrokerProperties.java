package io.mqttboot.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the embedded MQTT broker, bound from
 * {@code mqtt.embedded.*}. The broker needs Moquette
 * ({@code de.fraunhofer.iosb.io.moquette:moquette-broker}) on the classpath.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("mqtt.embedded")
public class MqttEmbeddedBrokerProperties {

	/**
	 * Whether to start an embedded Moquette broker and connect the default client to it
	 * instead of mqtt.url. Meant for demos and local development.
	 */
	private boolean enabled;

	/**
	 * Address the embedded broker binds to. The loopback address keeps it unreachable
	 * from other machines.
	 */
	private String host = "127.0.0.1";

	/**
	 * TCP port of the embedded broker. 0 picks a free port.
	 */
	private int port = 1883;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		this.host = host;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

}
