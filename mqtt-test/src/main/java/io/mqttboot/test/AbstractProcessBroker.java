package io.mqttboot.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the brokers that run as a child process writing a log file in their own temporary
 * directory ({@link HiveMqBroker}, {@link RabbitMqBroker}) share: the port, the options, the
 * process and its lifecycle lock, the log, waiting for the broker to accept connections, and
 * deleting the directory on {@link #close()}.
 *
 * @since 0.1.0
 */
abstract class AbstractProcessBroker implements MqttTestBroker {

	private final Logger logger = LoggerFactory.getLogger(getClass());

	final MqttTestBrokerOptions options;

	final int port = LoopbackPorts.findFree();

	final Path directory;

	final Object lifecycleMonitor = new Object();

	@Nullable Process process;

	AbstractProcessBroker(MqttTestBrokerOptions options, String directoryPrefix, String name) {
		this.options = options;
		try {
			this.directory = Files.createTempDirectory(directoryPrefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot prepare a " + name + " working directory", ex);
		}
	}

	/**
	 * Return the file the broker process writes its output to.
	 * @return the log file
	 */
	abstract Path logFile();

	@Override
	public String getHost() {
		return LoopbackPorts.HOST;
	}

	@Override
	public int getPort() {
		return this.port;
	}

	@Override
	public MqttTestBrokerOptions getOptions() {
		return this.options;
	}

	/**
	 * Keep a process that has just been started as this broker's, and wait until it accepts
	 * connections. Call with {@link #lifecycleMonitor} held.
	 * @param started the process
	 * @param name the broker's name in error messages
	 * @param ready whether the log says the broker is up
	 * @param giveUp how to end the process when it does not come up in time
	 * @param accepting what the timeout message says the broker did not accept
	 * @throws IllegalStateException if the process exits or does not come up in time
	 */
	void awaitStarted(Process started, String name, BooleanSupplier ready, Runnable giveUp, String accepting) {
		ProcessReaper.register(started);
		this.process = started;
		long deadline = BrokerProcess.startupDeadline(this.options.getStartupTimeout());
		while (System.nanoTime() < deadline) {
			if (!started.isAlive()) {
				ended(started);
				throw new IllegalStateException(name + " exited with code " + started.exitValue()
						+ " while starting; its log:\n" + getLog());
			}
			if (ready.getAsBoolean() && LoopbackPorts.accepts(this.port, 200)) {
				this.logger.info("Started {} on {}", getImplementation(), getUrl());
				return;
			}
			BrokerProcess.sleep(100);
		}
		giveUp.run();
		throw new IllegalStateException(name + " did not accept " + accepting + " on " + getUrl()
				+ " within 60 s; its log:\n" + getLog());
	}

	void ended(Process process) {
		ProcessReaper.unregister(process);
		this.process = null;
	}

	@Override
	public boolean isRunning() {
		return BrokerProcess.isRunning(this.process);
	}

	@Override
	public String getLog() {
		return BrokerProcess.readLog(logFile());
	}

	@Override
	public void close() {
		stop();
		BrokerProcess.deleteDirectory(this.directory, this.logger);
	}

}
