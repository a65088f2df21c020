package io.mqttboot.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * An application started in a JVM of its own with the test class path, so that
 * {@link #kill()} is a real SIGKILL (no shutdown hook, nothing flushed) and
 * {@link #stop()} a real SIGTERM (Spring Boot's shutdown hook closes the context). What the
 * application prints on standard output is collected line by line; standard error goes to
 * a log file ({@link #errorLines()}).
 */
final class ChildJvm {

	private final Process process;

	private final Queue<String> lines = new ConcurrentLinkedQueue<>();

	private final Thread reader;

	private final Path errorLog;

	private ChildJvm(Process process, String name, Path errorLog) {
		this.process = process;
		this.errorLog = errorLog;
		this.reader = new Thread(() -> {
			try (BufferedReader in = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = in.readLine()) != null) {
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// The process died.
			}
		}, name + "-output");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Start {@code mainClass} in a new JVM ({@code -Xmx256m}, C1 only, for a fast start).
	 * @param mainClass the class with the {@code main} method, on the test class path
	 * @param log where standard error goes, under {@code target}
	 * @param args the program arguments
	 * @return the started application
	 * @throws IOException if the JVM cannot be started
	 */
	static ChildJvm launch(Class<?> mainClass, String log, List<String> args) throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				mainClass.getName()));
		command.addAll(args);
		Path errorLog = Path.of("target", log).toAbsolutePath();
		Process process = new ProcessBuilder(command).redirectError(errorLog.toFile()).start();
		return new ChildJvm(process, log, errorLog);
	}

	Process process() {
		return this.process;
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Kill the JVM with SIGKILL and wait until it is gone.
	 * @return the exit code (137)
	 * @throws InterruptedException if interrupted while waiting
	 */
	int kill() throws InterruptedException {
		this.process.destroyForcibly();
		return this.process.waitFor();
	}

	/**
	 * Ask the JVM to stop with SIGTERM, which runs its shutdown hooks; does not wait.
	 */
	void stop() {
		this.process.destroy();
	}

	/**
	 * Wait until the output is read to its end (the process has exited).
	 * @throws InterruptedException if interrupted while waiting
	 */
	void awaitOutput() throws InterruptedException {
		this.process.waitFor();
		this.reader.join(10_000);
	}

	/**
	 * Return the complete lines written to standard error so far (a file, so nothing is
	 * lost when the JVM exits, unlike the last lines of the standard output pipe).
	 * @return the lines
	 */
	List<String> errorLines() {
		try {
			String text = Files.readString(this.errorLog, StandardCharsets.UTF_8);
			return List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Stream<String> lines() {
		return this.lines.stream();
	}

	boolean printed(String prefix) {
		return lines().anyMatch((line) -> line.startsWith(prefix));
	}

	String line(String prefix) {
		return lines().filter((line) -> line.startsWith(prefix)).findFirst().orElse("");
	}

	String output() {
		return String.join(System.lineSeparator(), this.lines);
	}

}
