package io.mqttboot.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Child-process handling that the process-based test brokers ({@link MosquittoBroker},
 * {@link HiveMqBroker}, {@link RabbitMqBroker}) share: whether the process runs, reading the log
 * file it writes, the startup deadline, pausing between checks, and deleting the broker's
 * temporary directory.
 *
 * @since 0.1.0
 */
final class BrokerProcess {

	private BrokerProcess() {
	}

	/**
	 * Whether the given broker process is alive.
	 * @param process the process, or {@code null} when none was started
	 * @return {@code true} when it runs
	 */
	static boolean isRunning(@Nullable Process process) {
		return process != null && process.isAlive();
	}

	/**
	 * Read a broker's log file.
	 * @param file the log file
	 * @return its content, or an empty string when it does not exist or cannot be read
	 */
	static String readLog(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			return "";
		}
	}

	/**
	 * The {@link System#nanoTime()} by which a broker must accept connections: the configured
	 * startup timeout, but no less than 60 s.
	 * @param startupTimeout the configured startup timeout
	 * @return the deadline
	 */
	static long startupDeadline(Duration startupTimeout) {
		return System.nanoTime() + Math.max(startupTimeout.toNanos(), TimeUnit.SECONDS.toNanos(60));
	}

	/**
	 * Delete a broker's temporary directory with everything in it, logging at debug level when
	 * that fails.
	 * @param directory the directory
	 * @param logger the broker's logger
	 */
	static void deleteDirectory(Path directory, Logger logger) {
		try (Stream<Path> files = Files.walk(directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			logger.debug("Cannot delete {}", directory, ex);
		}
	}

	/**
	 * Pause between checks, keeping the interrupt flag when interrupted.
	 * @param millis how long
	 */
	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
