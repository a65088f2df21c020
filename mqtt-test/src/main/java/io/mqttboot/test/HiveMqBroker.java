package io.mqttboot.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A HiveMQ Community Edition broker (embedded edition, {@value #VERSION}) run in a child JVM on
 * a free {@code 127.0.0.1} port: MQTT 5 with shared subscriptions and strict protocol checks.
 * <p>
 * HiveMQ CE runs on Netty 4.1 and its own versions of RocksDB, Guava and Jackson, which clash
 * with Spring Boot 4's Netty 4.2 in one class path, so it gets a JVM of its own, started like
 * mosquitto is: its class path is resolved by Maven from a POM that does not inherit Spring
 * Boot's dependency management (run once, then cached in the temporary directory), and a
 * launcher (Java source-file mode) adds an embedded extension that lets anonymous clients in:
 * HiveMQ CE refuses every client without a security extension. Configuration, data and
 * extension folders and the log live in a temporary directory that {@link #close()} deletes.
 * <p>
 * Options map onto HiveMQ's {@code config.xml}: {@link MqttTestBrokerOptions#getMaxInflightMessages()}
 * is the server receive maximum (HiveMQ's default: 10), {@link MqttTestBrokerOptions#getMaxQueuedMessages()}
 * the queued-messages limit per client (HiveMQ's default: 1,000, then new messages are discarded),
 * {@link MqttTestBrokerOptions#getMaxPacketSize()} the maximum packet size and
 * {@link MqttTestBrokerOptions#isPersistence()} file persistence (otherwise in-memory). Users, ACL
 * and mosquitto configuration lines are not provided. Use {@link #unavailableReason()} to skip
 * tests where Java or Maven is missing.
 *
 * @since 0.1.0
 */
public final class HiveMqBroker extends AbstractProcessBroker {

	/** The HiveMQ CE version, as in the classpath POM. */
	public static final String VERSION = "2025.5";

	/**
	 * System property with a HiveMQ CE class path to use instead of resolving one with Maven.
	 */
	public static final String CLASSPATH_PROPERTY = "mqttboot.test.hivemq.classpath";

	private static final String RESOURCES = "/io/mqttboot/test/hivemq/";

	private static final String STARTED = "mqttboot: HiveMQ CE started";

	private static final Object classpathMonitor = new Object();

	private static @Nullable String classpath;

	/**
	 * Create a broker with default options; call {@link #start()} to run it.
	 */
	public HiveMqBroker() {
		this(MqttTestBrokerOptions.defaults());
	}

	/**
	 * Create a broker; call {@link #start()} to run it.
	 * @param options the options
	 * @throws IllegalStateException if the options ask for users, an ACL or mosquitto configuration
	 */
	public HiveMqBroker(MqttTestBrokerOptions options) {
		super(supported(options), "mqttboot-hivemq-", "HiveMQ");
		try {
			for (String folder : List.of("conf", "data", "extensions")) {
				Files.createDirectories(this.directory.resolve(folder));
			}
			Files.writeString(this.directory.resolve("conf/config.xml"), configuration());
			try (InputStream in = HiveMqBroker.class.getResourceAsStream(RESOURCES + "HiveMqCeLauncher.java")) {
				if (in == null) {
					throw new IllegalStateException("HiveMqCeLauncher.java is missing from mqtt-test's resources");
				}
				Files.copy(in, this.directory.resolve("HiveMqCeLauncher.java"));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot prepare a HiveMQ working directory", ex);
		}
	}

	private static MqttTestBrokerOptions supported(MqttTestBrokerOptions options) {
		String reason = unsupportedReason(options);
		if (reason != null) {
			throw new IllegalStateException(reason);
		}
		return options;
	}

	static @Nullable String unsupportedReason(MqttTestBrokerOptions options) {
		List<String> missing = new ArrayList<>();
		if (!options.getUsers().isEmpty() || !options.isAllowAnonymous()) {
			missing.add("users");
		}
		if (!options.getAcl().isEmpty()) {
			missing.add("acl");
		}
		if (!options.getExtraConfig().isEmpty()) {
			missing.add("extraConfig (mosquitto configuration lines)");
		}
		return missing.isEmpty() ? null : "The HiveMQ CE test broker cannot provide " + String.join(", ", missing);
	}

	/**
	 * Return why HiveMQ CE cannot run here, resolving its class path if that was not done yet.
	 * @return the reason, or {@code null} when it can run
	 */
	public static @Nullable String unavailableReason() {
		try {
			resolveClasspath();
			return null;
		}
		catch (IllegalStateException ex) {
			return ex.getMessage();
		}
	}

	@Override
	public String getImplementation() {
		return "hivemq-ce " + VERSION;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.process != null) {
				return;
			}
			String classpath = resolveClasspath();
			int logStart = getLog().length();
			Path java = Path.of(System.getProperty("java.home"), "bin", "java");
			ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
					"-XX:+UseSerialGC", "-Djava.io.tmpdir=" + this.directory, "-cp", classpath,
					this.directory.resolve("HiveMqCeLauncher.java").toString(), this.directory.toString())
				.directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
			Process started;
			try {
				started = builder.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot start HiveMQ CE with " + java, ex);
			}
			awaitStarted(started, "HiveMQ CE", () -> getLog().indexOf(STARTED, logStart) >= 0, this::kill,
					"connections");
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			Process process = this.process;
			if (process != null) {
				// SIGTERM: the launcher's shutdown hook stops HiveMQ, which closes every connection.
				process.destroy();
				awaitExit(process);
				ended(process);
			}
		}
	}

	@Override
	public void kill() {
		synchronized (this.lifecycleMonitor) {
			Process process = this.process;
			if (process != null) {
				process.destroyForcibly();
				awaitExit(process);
				ended(process);
			}
		}
	}

	private static void awaitExit(Process process) {
		try {
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
		}
	}

	@Override
	Path logFile() {
		return this.directory.resolve("hivemq.log");
	}

	@Override
	public String toString() {
		return getImplementation() + " on " + getUrl() + (isRunning() ? " (running)" : " (not running)");
	}

	private String configuration() {
		int queued = this.options.getMaxQueuedMessages();
		StringBuilder mqtt = new StringBuilder();
		mqtt.append("\t\t<queued-messages><max-queue-size>")
			.append((queued > 0) ? queued : Long.MAX_VALUE)
			.append("</max-queue-size></queued-messages>\n");
		if (this.options.getMaxInflightMessages() > 0) {
			mqtt.append("\t\t<receive-maximum><server-receive-maximum>")
				.append(this.options.getMaxInflightMessages())
				.append("</server-receive-maximum></receive-maximum>\n");
		}
		if (this.options.getMaxPacketSize() > 0) {
			mqtt.append("\t\t<packets><max-packet-size>")
				.append(this.options.getMaxPacketSize())
				.append("</max-packet-size></packets>\n");
		}
		return String.join("\n", "<?xml version=\"1.0\"?>", "<hivemq>", "\t<listeners>",
				"\t\t<tcp-listener><port>" + this.port + "</port><bind-address>" + LoopbackPorts.HOST
						+ "</bind-address></tcp-listener>",
				"\t</listeners>", "\t<mqtt>", mqtt.toString(), "\t</mqtt>",
				"\t<anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>",
				"\t<persistence><mode>" + (this.options.isPersistence() ? "file" : "in-memory") + "</mode></persistence>",
				"</hivemq>", "");
	}

	private static String resolveClasspath() {
		synchronized (classpathMonitor) {
			if (classpath != null) {
				return classpath;
			}
			String configured = System.getProperty(CLASSPATH_PROPERTY);
			if (configured != null && !configured.isBlank()) {
				classpath = configured;
				return configured;
			}
			Path cache = Path.of(System.getProperty("java.io.tmpdir"), "mqttboot-hivemq-ce-" + VERSION + ".classpath");
			String cached = readComplete(cache);
			if (cached != null) {
				classpath = cached;
				return cached;
			}
			Path maven = findMaven();
			if (maven == null) {
				throw new IllegalStateException("Cannot resolve HiveMQ CE " + VERSION
						+ ": no mvnw found above the working directory and no mvn on the PATH; set the system property "
						+ CLASSPATH_PROPERTY);
			}
			try {
				Path work = Files.createTempDirectory("mqttboot-hivemq-pom-");
				try (InputStream in = HiveMqBroker.class.getResourceAsStream(RESOURCES + "pom.xml")) {
					if (in == null) {
						throw new IllegalStateException("The HiveMQ CE pom.xml is missing from mqtt-test's resources");
					}
					Files.copy(in, work.resolve("pom.xml"), StandardCopyOption.REPLACE_EXISTING);
				}
				Path output = work.resolve("classpath.txt");
				Path log = work.resolve("maven.log");
				Process process = new ProcessBuilder(maven.toString(), "-B", "-ntp", "-q", "-f",
						work.resolve("pom.xml").toString(), "dependency:build-classpath",
						"-Dmdep.outputFile=" + output)
					.directory(work.toFile())
					.redirectErrorStream(true)
					.redirectOutput(log.toFile())
					.start();
				if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0 || !Files.exists(output)) {
					process.destroyForcibly();
					throw new IllegalStateException("Cannot resolve HiveMQ CE " + VERSION + " with " + maven + ":\n"
							+ Files.readString(log));
				}
				Files.copy(output, cache, StandardCopyOption.REPLACE_EXISTING);
				String resolved = Files.readString(output).trim();
				classpath = resolved;
				return resolved;
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot resolve HiveMQ CE " + VERSION + ": " + ex, ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while resolving HiveMQ CE " + VERSION, ex);
			}
		}
	}

	private static @Nullable String readComplete(Path cache) {
		try {
			if (!Files.exists(cache)) {
				return null;
			}
			String value = Files.readString(cache).trim();
			boolean complete = !value.isEmpty() && Arrays.stream(value.split(java.io.File.pathSeparator))
				.allMatch((entry) -> Files.exists(Path.of(entry)));
			return complete ? value : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static @Nullable Path findMaven() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path wrapper = dir.resolve("mvnw");
			if (Files.isExecutable(wrapper)) {
				return wrapper;
			}
		}
		String path = System.getenv("PATH");
		if (path != null) {
			for (String entry : path.split(java.io.File.pathSeparator)) {
				Path candidate = Path.of(entry, "mvn");
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return null;
	}

}
