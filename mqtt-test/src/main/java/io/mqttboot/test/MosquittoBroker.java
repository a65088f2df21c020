package io.mqttboot.test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mosquitto broker run as a child process on a free {@code 127.0.0.1} port, from a configuration
 * generated out of {@link MqttTestBrokerOptions}.
 * <p>
 * A real, separate process is what makes fault tests honest: {@link #kill()} sends SIGKILL, so the
 * client sees exactly what a crashed broker looks like, and {@link #start()} brings it back on the
 * same port. The binary is {@code mosquitto} on the {@code PATH}, else {@code /usr/sbin/mosquitto}
 * (the Debian package), {@code /usr/local/sbin} or {@code /opt/homebrew/sbin}.
 * <p>
 * Everything the broker needs lives in a temporary working directory that survives restarts of
 * this instance and is deleted by {@link #close()}: {@code mosquitto.conf}, {@code passwd},
 * {@code acl} and the persistence directory. mosquitto logs everything ({@code log_type all}) to
 * stderr, which is unbuffered; stdout would be block-buffered through a pipe and show up late.
 * The log is kept in memory for {@link #getLog()} and copied to the SLF4J logger of this class at
 * debug level.
 * <p>
 * <strong>Persistence and {@link #kill()}.</strong> mosquitto keeps its state in memory and writes
 * it to {@code mosquitto.db} only on a graceful shutdown and on autosave. With persistence on, the
 * generated configuration sets {@code autosave_on_changes true} and {@code autosave_interval 1}, so
 * the broker saves after every change to subscriptions, retained or queued messages, in the
 * iteration of its main loop that follows the change. A QoS 1 PUBACK can therefore reach the
 * publisher a moment before the save: a test that kills the broker must first wait until the log
 * shows a {@code Saving in-memory database} line written after the publish, or the killed broker
 * forgets the message, as a real one would. {@link #stop()} always saves.
 * <p>
 * When the JVM runs as root, the configuration says {@code user root}: otherwise mosquitto drops
 * privileges to the {@code mosquitto} user and cannot write to the temporary directory. A JVM
 * shutdown hook kills brokers that are still running when the JVM exits.
 *
 * @since 0.1.0
 */
public final class MosquittoBroker implements MqttTestBroker {

	static final List<Path> SEARCH_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"),
			Path.of("/opt/homebrew/sbin"));

	private static final List<Path> PASSWD_SEARCH_DIRS = List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"),
			Path.of("/opt/homebrew/bin"), Path.of("/usr/sbin"));

	private static final Pattern VERSION = Pattern.compile("mosquitto version (\\S+)");

	private static final Pattern RUNNING = Pattern.compile("mosquitto version \\S+ running");

	private static final Map<Path, String> versions = new ConcurrentHashMap<>();

	private static final Logger logger = LoggerFactory.getLogger(MosquittoBroker.class);

	private final MqttTestBrokerOptions options;

	private final Path binary;

	private final String version;

	private final int port;

	private final Path workDir;

	private final Path configFile;

	private final BrokerLog log = new BrokerLog();

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable Process process;

	private @Nullable Thread logReader;

	private int starts;

	private boolean closed;

	/**
	 * Create a broker with the default options, not yet started.
	 * @throws IllegalStateException if no mosquitto binary is installed
	 */
	public MosquittoBroker() {
		this(MqttTestBrokerOptions.defaults());
	}

	/**
	 * Create a broker, not yet started: choose its port and write its configuration.
	 * @param options what the broker must provide
	 * @throws IllegalStateException if no mosquitto binary is installed
	 * @throws UncheckedIOException if the working directory cannot be written
	 */
	public MosquittoBroker(MqttTestBrokerOptions options) {
		Path binary = findBinary();
		if (binary == null) {
			throw new IllegalStateException("No mosquitto binary on the PATH or in " + SEARCH_DIRS
					+ "; install it with 'apt-get install mosquitto'");
		}
		this.options = options;
		this.binary = binary;
		this.version = versions.computeIfAbsent(binary, MosquittoBroker::readVersion);
		this.port = LoopbackPorts.findFree();
		try {
			this.workDir = Files.createTempDirectory("mqttboot-mosquitto-");
			this.configFile = this.workDir.resolve("mosquitto.conf");
			Files.write(this.configFile, configuration(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write the mosquitto configuration", ex);
		}
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
		return "mosquitto " + this.version;
	}

	@Override
	public MqttTestBrokerOptions getOptions() {
		return this.options;
	}

	/**
	 * Return the generated configuration file, to read it when a test fails.
	 * @return the path of {@code mosquitto.conf}
	 */
	public Path getConfigFile() {
		return this.configFile;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.closed) {
				throw new IllegalStateException("Broker on port " + this.port + " is closed");
			}
			if (isRunning()) {
				return;
			}
			this.starts++;
			note("start #" + this.starts + ": " + this.binary + " -c " + this.configFile);
			long mark = this.log.mark();
			Process process;
			try {
				process = new ProcessBuilder(this.binary.toString(), "-c", this.configFile.toString())
					.directory(this.workDir.toFile())
					.redirectErrorStream(true)
					.start();
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot run " + this.binary, ex);
			}
			ProcessReaper.register(process);
			this.process = process;
			this.logReader = readLog(process);
			awaitReady(process, mark);
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			Process process = this.process;
			if (process == null) {
				return;
			}
			process.destroy();
			if (!waitFor(process, 10)) {
				note("mosquitto ignored SIGTERM for 10 s; killing it");
				process.destroyForcibly();
				waitFor(process, 10);
			}
			ended(process, "stopped");
		}
	}

	@Override
	public void kill() {
		synchronized (this.lifecycleMonitor) {
			Process process = this.process;
			if (process == null) {
				return;
			}
			process.destroyForcibly();
			waitFor(process, 10);
			ended(process, "killed");
		}
	}

	@Override
	public boolean isRunning() {
		return BrokerProcess.isRunning(this.process);
	}

	@Override
	public String getLog() {
		return this.log.toString();
	}

	@Override
	public void close() {
		synchronized (this.lifecycleMonitor) {
			if (this.closed) {
				return;
			}
			stop();
			this.closed = true;
			BrokerProcess.deleteDirectory(this.workDir, logger);
		}
	}

	@Override
	public String toString() {
		return getImplementation() + " on " + getUrl() + (isRunning() ? " (running)" : " (not running)");
	}

	/**
	 * Return {@link MqttTestBrokerOptions.Builder#extraConfig(String...) extraConfig} lines
	 * that load the dynamic security plugin with a configuration letting anonymous clients
	 * do everything except subscribe to filters matching {@code deniedSubscribePattern}:
	 * the only way to make mosquitto 2.0 refuse a SUBSCRIBE (plain ACL files never do).
	 * @param dir where to write the plugin configuration
	 * @param deniedSubscribePattern the subscribe pattern to deny, for example {@code denied/#}
	 * @return the configuration lines, or empty when the plugin is not installed
	 * @throws IOException if the configuration cannot be written
	 */
	public static Optional<List<String>> denySubscriptions(Path dir, String deniedSubscribePattern)
			throws IOException {
		Optional<Path> plugin = findDynamicSecurityPlugin();
		if (plugin.isEmpty()) {
			return Optional.empty();
		}
		Path config = dir.resolve("dynamic-security.json");
		Files.writeString(config, """
				{
					"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,
							"subscribe": true, "unsubscribe": true},
					"clients": [],
					"groups": [{"groupname": "anonymous", "roles": [{"rolename": "restricted"}], "clients": []}],
					"roles": [{"rolename": "restricted", "acls": [
							{"acltype": "subscribePattern", "topic": "%s", "allow": false, "priority": 0}]}],
					"anonymousGroup": "anonymous"
				}
				""".formatted(deniedSubscribePattern));
		return Optional.of(List.of("plugin " + plugin.get(), "plugin_opt_config_file " + config));
	}

	/**
	 * Find mosquitto's dynamic security plugin, to load it through
	 * {@link MqttTestBrokerOptions.Builder#extraConfig(String...) extraConfig} ({@code plugin <path>}
	 * and {@code plugin_opt_config_file <json>}). Unlike the {@code acl_file}, which on mosquitto 2.0
	 * grants every SUBSCRIBE and only filters delivery, this plugin refuses a subscription its ACL
	 * denies with SUBACK reason code 0x87 (not authorized).
	 * @return the plugin, or empty when it is not installed
	 */
	public static Optional<Path> findDynamicSecurityPlugin() {
		String name = "mosquitto_dynamic_security.so";
		List<Path> candidates = new ArrayList<>();
		for (Path lib : List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of("/opt/homebrew/lib"))) {
			candidates.add(lib.resolve(name));
			try (Stream<Path> dirs = Files.list(lib)) {
				// Debian multiarch: /usr/lib/x86_64-linux-gnu/, /usr/lib/aarch64-linux-gnu/, ...
				dirs.filter((dir) -> dir.getFileName().toString().endsWith("-gnu"))
					.forEach((dir) -> candidates.add(dir.resolve(name)));
			}
			catch (IOException ex) {
				// No such directory here.
			}
		}
		return candidates.stream().filter(Files::isRegularFile).findFirst();
	}

	/**
	 * Return whether the mosquitto binary is installed, on the PATH or in a usual directory.
	 * @return whether {@link #start()} can work
	 */
	public static boolean isInstalled() {
		return findBinary() != null;
	}

	/**
	 * Find the mosquitto binary.
	 * @return the binary, or {@code null} when mosquitto is not installed
	 */
	static @Nullable Path findBinary() {
		return findExecutable("mosquitto", SEARCH_DIRS);
	}

	/**
	 * Return whether a mosquitto binary is installed, for tests that need mosquitto-only
	 * features (TLS and WebSocket listeners, plugins) to skip themselves without it.
	 * @return whether mosquitto can be started
	 */
	public static boolean isAvailable() {
		return findBinary() != null;
	}

	private List<String> configuration() throws IOException {
		List<String> lines = new ArrayList<>();
		lines.add("# Generated by mqtt-spring-boot-test from " + this.options);
		lines.add("per_listener_settings false");
		lines.add("listener " + this.port + " " + LoopbackPorts.HOST);
		lines.add("allow_anonymous " + this.options.isAllowAnonymous());
		// stderr, not stdout: stdout is block-buffered when it is a pipe.
		lines.add("log_dest stderr");
		lines.add("log_type all");
		lines.add("log_timestamp true");
		lines.add("log_timestamp_format %H:%M:%S");
		lines.add("connection_messages true");
		lines.add("max_queued_messages " + this.options.getMaxQueuedMessages());
		if (this.options.getMaxInflightMessages() > 0) {
			lines.add("max_inflight_messages " + this.options.getMaxInflightMessages());
		}
		if (this.options.getMaxPacketSize() > 0) {
			lines.add("max_packet_size " + this.options.getMaxPacketSize());
		}
		lines.add("persistence " + this.options.isPersistence());
		if (this.options.isPersistence()) {
			Path data = Files.createDirectories(this.workDir.resolve("data"));
			lines.add("persistence_location " + data);
			// Save after every change, not only on shutdown, so a killed broker keeps what it acknowledged.
			lines.add("autosave_on_changes true");
			lines.add("autosave_interval 1");
		}
		if (!this.options.getUsers().isEmpty()) {
			Path passwd = this.workDir.resolve("passwd");
			String how = MosquittoPasswordFile.write(passwd, this.options.getUsers(),
					findExecutable("mosquitto_passwd", PASSWD_SEARCH_DIRS));
			note("password file " + passwd + " for users " + this.options.getUsers().keySet() + ", " + how);
			lines.add("password_file " + passwd);
		}
		if (!this.options.getAcl().isEmpty()) {
			Path acl = this.workDir.resolve("acl");
			Files.write(acl, this.options.getAcl(), StandardCharsets.UTF_8);
			lines.add("acl_file " + acl);
		}
		if (isRoot()) {
			// Otherwise mosquitto drops to the 'mosquitto' user, which cannot write to our directory.
			lines.add("user root");
		}
		if (!this.options.getExtraConfig().isEmpty()) {
			lines.add("# extraConfig");
			lines.addAll(this.options.getExtraConfig());
		}
		return lines;
	}

	private boolean isRoot() {
		try {
			return Integer.valueOf(0).equals(Files.getAttribute(this.workDir, "unix:uid"));
		}
		catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
			return false;
		}
	}

	private Thread readLog(Process process) {
		Thread thread = new Thread(() -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					this.log.appendLine(line);
					logger.debug("[mosquitto:{}] {}", this.port, line);
				}
			}
			catch (IOException ex) {
				// The process is gone; nothing more to read.
			}
		}, "mosquitto-log-" + this.port);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private void awaitReady(Process process, long mark) {
		long timeoutNanos = this.options.getStartupTimeout().toNanos();
		long deadline = System.nanoTime() + timeoutNanos;
		while (System.nanoTime() - deadline < 0) {
			if (!process.isAlive()) {
				waitFor(process, 1);
				ended(process, "exited during startup");
				throw new IllegalStateException("mosquitto exited with code " + process.exitValue()
						+ " while starting on " + getUrl() + " (config " + this.configFile + "). Its log:\n"
						+ this.log.since(mark));
			}
			// The 'running' line proves it is our mosquitto that listens, not another process on the port.
			if (RUNNING.matcher(this.log.since(mark)).find() && LoopbackPorts.accepts(this.port, 200)) {
				return;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		process.destroyForcibly();
		waitFor(process, 10);
		ended(process, "killed after startup timeout");
		throw new IllegalStateException("mosquitto did not accept connections on " + getUrl() + " within "
				+ this.options.getStartupTimeout() + " (config " + this.configFile + "). Its log:\n"
				+ this.log.since(mark));
	}

	private void ended(Process process, String how) {
		Thread reader = this.logReader;
		if (reader != null) {
			try {
				reader.join(2000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		ProcessReaper.unregister(process);
		this.process = null;
		this.logReader = null;
		note("mosquitto " + how + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")"));
	}

	private void note(String message) {
		this.log.appendLine("[mqttboot] " + message);
		logger.debug("[mosquitto:{}] {}", this.port, message);
	}

	private static boolean waitFor(Process process, int seconds) {
		try {
			return process.waitFor(seconds, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return !process.isAlive();
		}
	}

	private static String readVersion(Path binary) {
		try {
			Process process = new ProcessBuilder(binary.toString(), "-h").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			waitFor(process, 5);
			Matcher matcher = VERSION.matcher(output);
			return matcher.find() ? matcher.group(1) : "(unknown version)";
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + binary + " -h", ex);
		}
	}

	private static @Nullable Path findExecutable(String name, List<Path> fallbackDirs) {
		List<Path> dirs = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(File.pathSeparator)) {
				if (!dir.isEmpty()) {
					dirs.add(Path.of(dir));
				}
			}
		}
		dirs.addAll(fallbackDirs);
		for (Path dir : dirs) {
			Path candidate = dir.resolve(name);
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

}
