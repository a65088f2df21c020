package io.mqttboot.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttClientManager;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * An in-process MQTT broker (Moquette) for demos and local development: MQTT 3.1.1 and 5
 * over TCP, anonymous access, no persistence, no telemetry.
 * <p>
 * The broker starts in its own lifecycle phase, before the {@link MqttClientManager client
 * managers} start and after they stop, so that clients connect to a running broker and
 * disconnect normally on shutdown. With port {@code 0} the broker binds a free port the
 * first time it is asked for its {@link #getPort() port} or {@link #getUrl() URL}, because
 * clients need the real address when they are created, which is before lifecycle beans
 * start. Once bound, the port is kept: a broker stopped and started again listens on the
 * same port, so clients that were configured with its URL can reconnect.
 * <p>
 * Not meant for production: it accepts every client and keeps messages in memory only.
 *
 * @since 0.1.0
 */
public class MqttEmbeddedBroker implements SmartLifecycle, DisposableBean {

	/**
	 * The lifecycle phase of the embedded broker: lower than
	 * {@link MqttClientManager#PHASE}, so it starts before and stops after the clients.
	 */
	public static final int PHASE = MqttClientManager.PHASE - 1000;

	private static final Log logger = LogFactory.getLog(MqttEmbeddedBroker.class);

	private static final String DISABLED = "disabled";

	private static final int FREE_PORT_ATTEMPTS = 3;

	private final String host;

	private final int configuredPort;

	private final ReentrantLock lock = new ReentrantLock();

	private volatile @Nullable Server server;

	private volatile int boundPort;

	/**
	 * Create a broker that is not started yet.
	 * @param host the address to bind, for example {@code 127.0.0.1}
	 * @param port the TCP port to listen on, or {@code 0} for a free port
	 * @throws IllegalArgumentException if the host is empty or the port is not between 0
	 * and 65535
	 */
	public MqttEmbeddedBroker(String host, int port) {
		Assert.hasText(host, "Embedded MQTT broker host must not be empty");
		Assert.isTrue(port >= 0 && port <= 65535,
				() -> "Embedded MQTT broker port must be between 0 and 65535 but was " + port);
		this.host = host;
		this.configuredPort = port;
	}

	/**
	 * Return the address the broker binds to.
	 * @return the host
	 */
	public String getHost() {
		return this.host;
	}

	/**
	 * Return the TCP port of the broker. With a configured port of {@code 0}, the first
	 * call starts the broker so that the port is known.
	 * @return the port clients connect to
	 * @throws MqttEmbeddedBrokerException if the broker had to be started and could not be
	 */
	public int getPort() {
		int port = this.boundPort;
		if (port != 0) {
			return port;
		}
		if (this.configuredPort != 0) {
			return this.configuredPort;
		}
		start();
		return this.boundPort;
	}

	/**
	 * Return the URL clients use to connect, such as {@code tcp://127.0.0.1:1883}. A broker
	 * bound to a wildcard address is reached through the loopback address. With a
	 * configured port of {@code 0}, the first call starts the broker.
	 * @return the URL
	 * @throws MqttEmbeddedBrokerException if the broker had to be started and could not be
	 */
	public String getUrl() {
		return "tcp://" + urlHost() + ":" + getPort();
	}

	private String urlHost() {
		String host = this.host;
		if (host.equals("0.0.0.0")) {
			return "127.0.0.1";
		}
		if (host.equals("::") || host.equals("0:0:0:0:0:0:0:0")) {
			return "[::1]";
		}
		return (host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host;
	}

	/**
	 * Start the broker unless it is running already.
	 * @throws MqttEmbeddedBrokerException if the broker cannot bind its port or fails to start
	 */
	@Override
	public void start() {
		this.lock.lock();
		try {
			if (this.server != null) {
				return;
			}
			if (this.boundPort != 0 || this.configuredPort != 0) {
				int port = (this.boundPort != 0) ? this.boundPort : this.configuredPort;
				this.server = startServer(port);
				this.boundPort = port;
			}
			else {
				startOnFreePort();
			}
			logger.info("Embedded MQTT broker (Moquette) listening on " + getUrl());
		}
		finally {
			this.lock.unlock();
		}
	}

	private void startOnFreePort() {
		// Moquette can bind port 0, but it records the bound port asynchronously on its
		// event loop, so its getPort() may still answer 0 after startServer() returned.
		// Pick the free port here instead and retry if another process takes it first.
		for (int attempt = 1;; attempt++) {
			int port = freePort();
			try {
				this.server = startServer(port);
				this.boundPort = port;
				return;
			}
			catch (MqttEmbeddedBrokerException ex) {
				if (attempt == FREE_PORT_ATTEMPTS) {
					throw ex;
				}
				logger.debug("Free port " + port + " was taken before the embedded MQTT broker could bind it", ex);
			}
		}
	}

	private int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(this.host))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new MqttEmbeddedBrokerException("Embedded MQTT broker could not find a free port on " + this.host
					+ " (mqtt.embedded.host): " + describe(ex), this.host, 0, ex);
		}
	}

	private Server startServer(int port) {
		Server server = new Server();
		try {
			server.startServer(new MemoryConfig(config(port)));
			return server;
		}
		catch (IOException | RuntimeException ex) {
			try {
				server.stopServer();
			}
			catch (RuntimeException cleanupFailure) {
				ex.addSuppressed(cleanupFailure);
			}
			throw new MqttEmbeddedBrokerException("Embedded MQTT broker could not start on " + this.host + ":" + port
					+ " (mqtt.embedded.host / mqtt.embedded.port): " + describe(ex), this.host, port, ex);
		}
	}

	private Properties config(int port) {
		Properties config = new Properties();
		config.setProperty("host", this.host);
		config.setProperty("port", Integer.toString(port));
		config.setProperty("websocket_port", DISABLED);
		config.setProperty("allow_anonymous", "true");
		// Clients on MQTT 5 may leave the identifier empty and have the broker assign one.
		config.setProperty("allow_zero_byte_client_id", "true");
		config.setProperty("persistence_enabled", "false");
		// Moquette otherwise reports to telemetry.moquette.io on start.
		config.setProperty("telemetry_enabled", "false");
		// NIO everywhere: the same behaviour on every OS, no native transport to load.
		config.setProperty("netty.native", "false");
		return config;
	}

	private static String describe(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
	}

	/**
	 * Stop the broker, closing every client connection. The port is released but
	 * remembered for the next {@link #start()}.
	 */
	@Override
	public void stop() {
		this.lock.lock();
		try {
			Server server = this.server;
			if (server == null) {
				return;
			}
			this.server = null;
			server.stopServer();
			logger.info("Embedded MQTT broker on " + this.host + ":" + this.boundPort + " stopped");
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean isRunning() {
		return this.server != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Stop the broker if it runs. A broker started early to learn its port must be stopped
	 * even when the application context fails before its lifecycle beans start.
	 */
	@Override
	public void destroy() {
		stop();
	}

	@Override
	public String toString() {
		return "MqttEmbeddedBroker[host=" + this.host + ", port="
				+ ((this.boundPort != 0) ? this.boundPort : this.configuredPort) + ", running=" + isRunning() + "]";
	}

}
