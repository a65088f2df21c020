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

import org.jspecify.annotations.Nullable;

/**
 * The Eclipse Paho C client's cousin from the mosquitto project: {@code mosquitto_pub -l}
 * (one message per stdin line, {@code -M 100} in-flight window) into the broker, one
 * long-lived {@code mosquitto_sub} per QoS whose stdout lines are counted. MQTT 3.1.1 (the
 * tools' default). The time includes starting the {@code mosquitto_pub} process (a few ms).
 */
final class CliContender implements Contender {

	private final int port;

	private final Sink sink = new Sink();

	private final List<Process> subscribers = new ArrayList<>();

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
		File lines = this.prepared;
		this.prepared = null;
		run((lines != null) ? lines : write(count, payload), qos);
	}

	private @Nullable File prepared;

	private static File write(int count, byte[] payload) throws IOException {
		File lines = File.createTempFile("bench-c-", ".txt");
		lines.deleteOnExit();
		try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(lines.toPath()), 1 << 16)) {
			for (int i = 0; i < count; i++) {
				out.write(payload);
				out.write('\n');
			}
		}
		return lines;
	}

	private void run(File lines, int qos) throws Exception {
		Process publisher = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(this.port),
				"-i", "bench-c-pub", "-q", String.valueOf(qos), "-M", "100", "-t", Contender.topic(name(), qos), "-l")
			.redirectInput(lines)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		Thread waiter = new Thread(() -> {
			try {
				if (!publisher.waitFor(300, TimeUnit.SECONDS)) {
					publisher.destroy();
				}
			}
			catch (InterruptedException ex) {
				publisher.destroy();
			}
			lines.delete();
		}, "mosquitto_pub-waiter");
		waiter.setDaemon(true);
		waiter.start();
	}

	@Override
	public void close() {
		for (Process process : this.subscribers) {
			process.destroy();
		}
	}

}
