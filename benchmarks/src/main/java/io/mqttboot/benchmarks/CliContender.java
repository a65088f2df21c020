package io.mqttboot.benchmarks;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The mosquitto command-line clients (C, libmosquitto): {@code mosquitto_pub -l}
 * (one message per stdin line, {@code -M 100} in-flight window; 50,000 lines per process, one
 * process after the other, see {@link #write}) into the broker, one
 * long-lived {@code mosquitto_sub} per QoS whose stdout lines are counted. MQTT 3.1.1 (the
 * tools' default). The time includes starting the {@code mosquitto_pub} process (a few ms).
 */
final class CliContender implements Contender {

	private final int port;

	private final Sink sink = new Sink();

	/** Lines per mosquitto_pub process, see {@link #write}. */
	static final int CHUNK = 50_000;

	private final List<Process> subscribers = new ArrayList<>();

	private final AtomicLong publishers = new AtomicLong();

	CliContender(int port) {
		this.port = port;
	}

	@Override
	public String name() {
		return "c";
	}

	@Override
	public Sink sink() {
		return this.sink;
	}

	@Override
	public void start() throws Exception {
		for (int qos = 0; qos <= 1; qos++) {
			Process process = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(this.port),
					"-i", "bench-c-sub-q" + qos, "-q", String.valueOf(qos), "-t", Contender.topic(name(), qos))
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			this.subscribers.add(process);
			Thread reader = new Thread(() -> count(process.getInputStream()), "mosquitto_sub-q" + qos + "-reader");
			reader.setDaemon(true);
			reader.start();
		}
	}

	private void count(InputStream in) {
		byte[] buffer = new byte[64 * 1024];
		boolean lineStart = true;
		try {
			int read;
			while ((read = in.read(buffer)) != -1) {
				for (int i = 0; i < read; i++) {
					byte b = buffer[i];
					if (lineStart) {
						this.sink.accept(b);
					}
					lineStart = (b == '\n');
				}
			}
		}
		catch (IOException ex) {
			// the subscriber was closed
		}
	}

	@Override
	public void prepare(int count, byte[] payload) throws IOException {
		this.prepared = write(count, payload);
	}

	@Override
	public void publish(int count, int qos, byte[] payload) throws Exception {
		List<File> files = this.prepared;
		this.prepared = null;
		run((files != null) ? files : write(count, payload), qos);
	}

	private @Nullable List<File> prepared;

	/**
	 * Write the lines in chunks of at most {@link #CHUNK}: {@code mosquitto_pub -l} queues
	 * every line it reads, and past about 65,535 queued QoS 1 messages its 16-bit packet
	 * identifiers wrap and messages go missing (100,000 lines in one process: 34,469 arrive).
	 */
	private static List<File> write(int count, byte[] payload) throws IOException {
		List<File> files = new ArrayList<>();
		for (int from = 0; from < count; from += CHUNK) {
			File lines = File.createTempFile("bench-c-", ".txt");
			lines.deleteOnExit();
			try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(lines.toPath()), 1 << 16)) {
				for (int i = from; i < Math.min(count, from + CHUNK); i++) {
					out.write(payload);
					out.write('\n');
				}
			}
			files.add(lines);
		}
		return files;
	}

	private void run(List<File> files, int qos) {
		// One mosquitto_pub after the other (each exits when its last message is acknowledged).
		Thread runner = new Thread(() -> {
			for (File lines : files) {
				// A client id per process: a QoS 0 mosquitto_pub exits as soon as it has written,
				// and a successor with the same id would take over the session while the broker
				// is still reading the predecessor's messages, which the broker then discards.
				String clientId = "bench-c-pub-" + this.publishers.incrementAndGet();
				try {
					Process publisher = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p",
							String.valueOf(this.port), "-i", clientId, "-q", String.valueOf(qos), "-M", "100",
							"-t", Contender.topic(name(), qos), "-l")
						.redirectInput(lines)
						.redirectOutput(ProcessBuilder.Redirect.DISCARD)
						.redirectError(ProcessBuilder.Redirect.INHERIT)
						.start();
					if (!publisher.waitFor(300, TimeUnit.SECONDS)) {
						publisher.destroy();
					}
				}
				catch (IOException ex) {
					System.err.println("mosquitto_pub failed: " + ex);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				finally {
					lines.delete();
				}
			}
		}, "mosquitto_pub-runner");
		runner.setDaemon(true);
		runner.start();
	}

	@Override
	public void close() {
		for (Process process : this.subscribers) {
			process.destroy();
		}
	}

}
