package io.mqttboot.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports and reachability checks on the IPv4 loopback address.
 */
final class LoopbackPorts {

	static final String HOST = "127.0.0.1";

	private static final int MIN_PORT = 10_000;

	private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

	private LoopbackPorts() {
	}

	static InetAddress address() {
		try {
			return InetAddress.getByName(HOST);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return a port nothing listens on right now, below the kernel's ephemeral range when that is
	 * known. A broker keeps its port across restarts; while it is down, a port from the ephemeral
	 * range could be handed to some client's outgoing socket (even to a client reconnecting to that
	 * very port, which then connects to itself), and the restart would fail. Another process may
	 * still take the port before the broker binds it; the broker then fails to start with "Address
	 * already in use" in its log.
	 * @return a free port
	 */
	static int findFree() {
		int ephemeralLow = ephemeralRangeStart();
		if (ephemeralLow > MIN_PORT + 1000) {
			for (int attempt = 0; attempt < 100; attempt++) {
				int candidate = ThreadLocalRandom.current().nextInt(MIN_PORT, ephemeralLow);
				if (isFree(candidate)) {
					return candidate;
				}
			}
		}
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(address(), 0), 1);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot find a free port on " + HOST, ex);
		}
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(address(), port), 1);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int ephemeralRangeStart() {
		try {
			String range = Files.readString(EPHEMERAL_RANGE).trim();
			return Integer.parseInt(range.split("\\s+")[0]);
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux: let the kernel choose.
			return -1;
		}
	}

	static boolean accepts(int port, int timeoutMillis) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(address(), port), timeoutMillis);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
