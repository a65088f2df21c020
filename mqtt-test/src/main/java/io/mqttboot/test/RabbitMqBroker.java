package io.mqttboot.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A RabbitMQ broker with its MQTT plugin, run as a child process on free {@code 127.0.0.1}
 * ports, for tests of what a broker other than mosquitto does (RabbitMQ 3.10 speaks MQTT
 * 3.1.1 only and answers a QoS 2 PUBLISH with PUBACK).
 * <p>
 * It uses the Debian package ({@code apt-get install -y rabbitmq-server}; the MQTT plugin
 * ships with it and is enabled for this node only) and leaves the system's own node alone:
 * node name, AMQP, MQTT and distribution ports, configuration, database and logs are this
 * instance's own, in a temporary directory that {@link #close()} deletes. Erlang starts
 * its port mapper daemon ({@code epmd}) if none runs; it is shared by every node of the
 * machine and outlives the broker. Use {@link #isInstalled()} to skip tests without it.
 * Anonymous MQTT connections are allowed; {@link MqttTestBrokerOptions} are otherwise
 * ignored.
 * <p>
 * Brokers created with the same Erlang cookie can form a cluster on this machine:
 * {@link #joinCluster(RabbitMqBroker)} makes a running broker a node of another's cluster,
 * and {@link #rabbitmqctl(String...)} runs any other command (a policy, for example)
 * against a node.
 *
 * @since 0.1.0
 */
public final class RabbitMqBroker extends AbstractProcessBroker {

	/**
	 * The RabbitMQ start script of the Debian package, run directly rather than through
	 * the wrapper in {@code /usr/sbin}, which switches to the {@code rabbitmq} user.
	 */
	static final Path SERVER_SCRIPT = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");

	static final Path CTL_SCRIPT = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");

	private static final Pattern VERSION = Pattern.compile("RabbitMQ (\\d+\\.\\d+\\.\\d+)");

	private final int amqpPort = LoopbackPorts.findFree();

	private final int distributionPort = LoopbackPorts.findFree();

	/**
	 * Create a broker with default options; call {@link #start()} to run it.
	 */
	public RabbitMqBroker() {
		this(MqttTestBrokerOptions.defaults());
	}

	/**
	 * Create a broker; call {@link #start()} to run it.
	 * @param options the options (only the startup timeout is used)
	 */
	public RabbitMqBroker(MqttTestBrokerOptions options) {
		this(options, UUID.randomUUID().toString().replace("-", ""));
	}

	/**
	 * Create a broker that can be clustered with the other brokers given the same Erlang
	 * cookie; call {@link #start()} to run it.
	 * @param options the options (only the startup timeout is used)
	 * @param erlangCookie the shared secret of the nodes of a cluster
	 */
	public RabbitMqBroker(MqttTestBrokerOptions options, String erlangCookie) {
		super(options, "mqttboot-rabbitmq-", "RabbitMQ");
		try {
			// Erlang reads the cookie from $HOME and insists that only its owner can read it.
			Path cookie = this.directory.resolve(".erlang.cookie");
			Files.writeString(cookie, erlangCookie);
			Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
			Files.createDirectories(this.directory.resolve("mnesia"));
			Files.createDirectories(this.directory.resolve("log"));
			Files.writeString(this.directory.resolve("rabbitmq.conf"),
					String.join("\n", "listeners.tcp.default = " + LoopbackPorts.HOST + ":" + this.amqpPort,
							"mqtt.listeners.tcp.default = " + LoopbackPorts.HOST + ":" + this.port,
							"mqtt.allow_anonymous = true", "loopback_users = none", "log.console = true",
							"log.console.level = info", "log.file = false", ""));
			Files.writeString(this.directory.resolve("enabled_plugins"), "[rabbitmq_mqtt].\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot prepare a RabbitMQ working directory", ex);
		}
	}

	/**
	 * Return whether the RabbitMQ server of the Debian package is installed.
	 * @return whether {@link #start()} can work
	 */
	public static boolean isInstalled() {
		return Files.isExecutable(SERVER_SCRIPT);
	}

	/**
	 * Return the Erlang node name of this broker.
	 * @return the node name, for example {@code mqttboot-41883@localhost}
	 */
	public String getNodeName() {
		return "mqttboot-" + this.port + "@localhost";
	}

	/**
	 * Make this running broker a node of the cluster of another running broker created
	 * with the same Erlang cookie: its own data is reset, and it accepts MQTT connections
	 * again when this method returns. Once joined, a node stopped and started again
	 * rejoins the cluster by itself.
	 * @param seed a node of the cluster to join
	 * @throws IllegalStateException if a {@code rabbitmqctl} command fails, with its output
	 */
	public void joinCluster(RabbitMqBroker seed) {
		rabbitmqctl("stop_app");
		rabbitmqctl("reset");
		rabbitmqctl("join_cluster", seed.getNodeName());
		rabbitmqctl("start_app");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (!LoopbackPorts.accepts(this.port, 200)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(this + " did not accept MQTT connections within 60 s after joining "
						+ seed.getNodeName() + "; its log:\n" + getLog());
			}
			BrokerProcess.sleep(100);
		}
	}

	/**
	 * Run {@code rabbitmqctl} against this node, for example
	 * {@code rabbitmqctl("set_policy", ...)}.
	 * @param arguments the command and its arguments
	 * @return what the command printed
	 * @throws IllegalStateException if the command fails or takes more than 60 s, with
	 * its output
	 */
	public String rabbitmqctl(String... arguments) {
		List<String> command = new ArrayList<>(List.of(CTL_SCRIPT.toString(), "-n", getNodeName()));
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.directory.toFile()).redirectErrorStream(true);
		builder.environment().put("HOME", this.directory.toString());
		try {
			Process process = builder.start();
			ProcessReaper.register(process);
			try {
				String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
					process.destroyForcibly();
					throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + " failed on "
							+ getNodeName() + ":\n" + output);
				}
				return output;
			}
			finally {
				ProcessReaper.unregister(process);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run " + CTL_SCRIPT, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running rabbitmqctl", ex);
		}
	}

	@Override
	public String getImplementation() {
		String version = getVersion();
		return "rabbitmq" + ((version != null) ? " " + version : "");
	}

	/**
	 * Return the RabbitMQ version, once started.
	 * @return the version, or {@code null} when not known yet
	 */
	public @Nullable String getVersion() {
		Matcher matcher = VERSION.matcher(getLog());
		return matcher.find() ? matcher.group(1) : null;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.process != null) {
				return;
			}
			if (!isInstalled()) {
				throw new IllegalStateException("RabbitMQ is not installed (" + SERVER_SCRIPT
						+ " missing); install it with: apt-get install -y rabbitmq-server");
			}
			ProcessBuilder builder = new ProcessBuilder(SERVER_SCRIPT.toString()).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
			Map<String, String> env = builder.environment();
			env.put("HOME", this.directory.toString());
			env.put("RABBITMQ_NODENAME", getNodeName());
			env.put("RABBITMQ_NODE_IP_ADDRESS", LoopbackPorts.HOST);
			env.put("RABBITMQ_NODE_PORT", Integer.toString(this.amqpPort));
			env.put("RABBITMQ_DIST_PORT", Integer.toString(this.distributionPort));
			env.put("RABBITMQ_CONFIG_FILE", this.directory.resolve("rabbitmq.conf").toString());
			env.put("RABBITMQ_ENABLED_PLUGINS_FILE", this.directory.resolve("enabled_plugins").toString());
			env.put("RABBITMQ_MNESIA_BASE", this.directory.resolve("mnesia").toString());
			env.put("RABBITMQ_LOG_BASE", this.directory.resolve("log").toString());
			env.put("RABBITMQ_PID_FILE", this.directory.resolve("rabbitmq.pid").toString());
			env.put("RABBITMQ_LOGS", "-");
			Process started;
			try {
				started = builder.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot start " + SERVER_SCRIPT, ex);
			}
			awaitStarted(started, "RabbitMQ", () -> getLog().contains("started MQTT TCP listener"), this::stop,
					"MQTT connections");
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			Process process = this.process;
			if (process == null) {
				return;
			}
			// The start script waits for the Erlang VM, which must be stopped itself.
			List<ProcessHandle> children = process.descendants().toList();
			children.forEach(ProcessHandle::destroy);
			process.destroy();
			awaitExit(process, children);
			ended(process);
		}
	}

	@Override
	public void kill() {
		synchronized (this.lifecycleMonitor) {
			Process process = this.process;
			if (process == null) {
				return;
			}
			List<ProcessHandle> children = process.descendants().toList();
			children.forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
			awaitExit(process, children);
			ended(process);
		}
	}

	private static void awaitExit(Process process, List<ProcessHandle> children) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (System.nanoTime() < deadline
				&& (process.isAlive() || children.stream().anyMatch(ProcessHandle::isAlive))) {
			BrokerProcess.sleep(50);
		}
		children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
	}

	@Override
	Path logFile() {
		return this.directory.resolve("rabbitmq.log");
	}

	@Override
	public String toString() {
		return "RabbitMqBroker " + getUrl();
	}

}
