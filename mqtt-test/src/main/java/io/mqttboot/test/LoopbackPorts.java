package io.mqttboot.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Free ports and reachability checks on the IPv4 loopback address.
 */
final class LoopbackPorts {

	static final String HOST = "127.0.0.1";

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
	 * Return a port nothing listens on right now. Another process may take it before the broker
	 * binds it; the broker then fails to start with "Address already in use" in its log.
	 * @return a free port
	 */
	static int findFree() {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(address(), 0), 1);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot find a free port on " + HOST, ex);
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
