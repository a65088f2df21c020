package io.mqttboot.core;

import java.net.URI;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Details required to connect the default MQTT client to a broker. The only reader of
 * connection settings: {@code mqtt.*} properties, Testcontainers and Docker Compose
 * service connections plug in here.
 *
 * @since 0.1.0
 */
public interface MqttConnectionDetails extends ConnectionDetails {

	/**
	 * Return the broker URI without user-info, for example {@code tcp://localhost:1883}.
	 * @return the server URI
	 */
	URI getServerUri();

	/**
	 * Return every broker to connect to, in the order they are tried, without user-info:
	 * for example the nodes of a cluster. The client connects to the first that answers
	 * and moves on to the next one whenever the connection is lost.
	 * @return the server URIs, starting with {@link #getServerUri()}; by default that one
	 * alone
	 */
	default List<URI> getServerUris() {
		return List.of(getServerUri());
	}

	/**
	 * Return the user name to authenticate with.
	 * @return the user name or {@code null}
	 */
	default @Nullable String getUsername() {
		return null;
	}

	/**
	 * Return the password to authenticate with.
	 * @return the password or {@code null}
	 */
	default @Nullable String getPassword() {
		return null;
	}

}
