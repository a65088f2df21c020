package io.mqttboot.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;
import io.moquette.interception.messages.InterceptDisconnectMessage;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.moquette.interception.messages.InterceptSubscribeMessage;
import io.moquette.interception.messages.InterceptUnsubscribeMessage;
import org.jspecify.annotations.Nullable;

/**
 * An in-process Moquette broker on a free {@code 127.0.0.1} port: the fallback when mosquitto is
 * not installed.
 * <p>
 * Runs with telemetry off, persistence off and anonymous access, as the project's embedded broker
 * does. It cannot provide a password file, an ACL, persistence across a kill or mosquitto
 * configuration lines, so {@link MqttTestBroker#create(MqttTestBrokerOptions)} refuses options
 * that ask for them and {@link MqttBrokerExtension} skips such tests. {@link #kill()} cannot crash a
 * broker that lives in the test's own JVM: it stops the server like {@link #stop()}, which closes
 * every client connection, and {@link #start()} starts a fresh server on the same port with no
 * sessions. {@link #getLog()} shows connections, subscriptions and publishes as the broker's
 * interceptor saw them; Moquette's own log goes to SLF4J ({@code io.moquette}). Requires the
 * optional dependency {@code de.fraunhofer.iosb.io.moquette:moquette-broker}.
 *
 * @since 0.1.0
 */
public final class MoquetteBroker implements MqttTestBroker {

	/** The MQTT maximum packet size; Moquette's own default (8092 bytes) is too small for tests. */
	private static final int MAX_PACKET_SIZE = 268_435_455;

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

	private static final String VERSION = readVersion();

	private final MqttTestBrokerOptions options;

	private final int port;

	private final BrokerLog log = new BrokerLog();

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable Server server;

	private boolean closed;

	/**
	 * Create a broker with the default options, not yet started.
	 */
	public MoquetteBroker() {
		this(MqttTestBrokerOptions.defaults());
	}

	/**
	 * Create a broker, not yet started, and choose its port.
	 * @param options what the broker must provide
	 * @throws IllegalStateException if the options ask for something Moquette cannot provide
	 */
	public MoquetteBroker(MqttTestBrokerOptions options) {
		String reason = BrokerSelection.moquetteUnsupportedReason(options);
		if (reason != null) {
			throw new IllegalStateException(reason);
		}
		this.options = options;
		this.port = LoopbackPorts.findFree();
	}

	@Override
	public String getHost() {
		return LoopbackPorts.HOST;
	}

	@Override
	public int getPort() {
		return this.port;
	}

	@Override
	public String getImplementation() {
		return "moquette " + VERSION;
	}

	@Override
	public MqttTestBrokerOptions getOptions() {
		return this.options;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.closed) {
				throw new IllegalStateException("Broker on port " + this.port + " is closed");
			}
			if (this.server != null) {
				return;
			}
			Server server = new Server();
			try {
				server.startServer(new MemoryConfig(properties()), List.of(new LogInterceptor()));
			}
			catch (IOException ex) {
				throw new IllegalStateException("Moquette did not start on " + getUrl() + ". Its log:\n" + getLog(),
						ex);
			}
			if (!LoopbackPorts.accepts(this.port, 1000)) {
				server.stopServer();
				throw new IllegalStateException("Moquette does not accept connections on " + getUrl());
			}
			this.server = server;
			note("started on " + getUrl());
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			Server server = this.server;
			if (server != null) {
				server.stopServer();
				this.server = null;
				note("stopped");
			}
		}
	}

	/**
	 * Stop the server like {@link #stop()}: an in-process broker cannot be crashed.
	 */
	@Override
	public void kill() {
		stop();
	}

	@Override
	public boolean isRunning() {
		return this.server != null;
	}

	@Override
	public String getLog() {
		return this.log.toString();
	}

	@Override
	public void close() {
		synchronized (this.lifecycleMonitor) {
			stop();
			this.closed = true;
		}
	}

	@Override
	public String toString() {
		return getImplementation() + " on " + getUrl() + (isRunning() ? " (running)" : " (not running)");
	}

	private Properties properties() {
		Properties properties = new Properties();
		properties.setProperty("host", LoopbackPorts.HOST);
		properties.setProperty("port", Integer.toString(this.port));
		properties.setProperty("websocket_port", "disabled");
		properties.setProperty("allow_anonymous", "true");
		properties.setProperty("persistence_enabled", "false");
		properties.setProperty("telemetry_enabled", "false");
		// Flush every write at once, as mosquitto does; batching would only add latency in tests.
		properties.setProperty("buffer_flush_millis", "0");
		int maxPacketSize = (this.options.getMaxPacketSize() > 0) ? this.options.getMaxPacketSize() : MAX_PACKET_SIZE;
		properties.setProperty("netty.mqtt.message_size", Integer.toString(maxPacketSize));
		if (this.options.getMaxInflightMessages() > 0) {
			properties.setProperty("receive_maximum", Integer.toString(this.options.getMaxInflightMessages()));
		}
		// Moquette's own default (1,024 per session) silently drops what does not fit, where
		// mosquitto is configured with the same max_queued_messages.
		properties.setProperty("session_queue_size", Integer.toString(this.options.getMaxQueuedMessages()));
		return properties;
	}

	private void note(String message) {
		this.log.appendLine(LocalTime.now().truncatedTo(ChronoUnit.MILLIS).format(TIME) + " " + message);
	}

	private static String readVersion() {
		String resource = "/META-INF/maven/de.fraunhofer.iosb.io.moquette/moquette-broker/pom.properties";
		try (InputStream in = Server.class.getResourceAsStream(resource)) {
			if (in == null) {
				return "(unknown version)";
			}
			Properties properties = new Properties();
			properties.load(in);
			return properties.getProperty("version", "(unknown version)");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Records what the broker does, for {@link #getLog()}. Called on Moquette's interceptor threads.
	 */
	private final class LogInterceptor extends AbstractInterceptHandler {

		@Override
		public String getID() {
			return "mqttboot-test-log";
		}

		@Override
		public void onConnect(InterceptConnectMessage message) {
			note("CONNECT from " + message.getClientID() + " (clean " + message.isCleanSession() + ", keep alive "
					+ message.getKeepAlive() + ")");
		}

		@Override
		public void onDisconnect(InterceptDisconnectMessage message) {
			note("DISCONNECT from " + message.getClientID());
		}

		@Override
		public void onConnectionLost(InterceptConnectionLostMessage message) {
			note("connection lost: " + message.getClientID());
		}

		@Override
		public void onSubscribe(InterceptSubscribeMessage message) {
			note("SUBSCRIBE from " + message.getClientID() + " to '" + message.getTopicFilter() + "' (QoS "
					+ message.getRequestedQos().value() + ")");
		}

		@Override
		public void onUnsubscribe(InterceptUnsubscribeMessage message) {
			note("UNSUBSCRIBE from " + message.getClientID() + " to '" + message.getTopicFilter() + "'");
		}

		@Override
		public void onPublish(InterceptPublishMessage message) {
			note("PUBLISH from " + message.getClientID() + " to '" + message.getTopicName() + "' (QoS "
					+ message.getQos().value() + ")");
			// The base class releases the payload buffer.
			super.onPublish(message);
		}

		@Override
		public void onSessionLoopError(Throwable error) {
			note("session loop error: " + error);
		}

	}

}
