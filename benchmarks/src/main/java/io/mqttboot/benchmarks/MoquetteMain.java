package io.mqttboot.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

import io.mqttboot.test.MoquetteBroker;

/**
 * Runs the Moquette broker of the test support module in its own JVM, for B7: mosquitto
 * 2.0.11 sends a slow MQTT 5 subscriber more unacknowledged QoS 1 messages than its receive
 * maximum allows (the client then has to disconnect), Moquette keeps to it. Writes the port
 * to {@code --port-file} once the broker accepts connections, then runs until killed.
 */
final class MoquetteMain {

	private MoquetteMain() {
	}

	static void run(Args args) throws Exception {
		MoquetteBroker broker = new MoquetteBroker();
		broker.start();
		Path portFile = Path.of(args.get("port-file"));
		Path partial = Path.of(portFile + ".tmp");
		Files.writeString(partial, Integer.toString(broker.getPort()));
		Files.move(partial, portFile);
		System.err.println(broker.getImplementation() + " listening on 127.0.0.1:" + broker.getPort());
		Thread.currentThread().join();
	}

}
