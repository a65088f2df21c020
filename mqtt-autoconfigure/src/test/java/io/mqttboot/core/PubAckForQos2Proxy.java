package io.mqttboot.core;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a broker that answers QoS 2 PUBLISH packets the way RabbitMQ
 * 3.10's MQTT plugin does: with PUBACK. It rewrites every PUBREC (packet type 5) the
 * broker sends into a PUBACK (type 4) with the same packet identifier and, on MQTT 5,
 * the same reason code and properties (both packets have the same layout [MQTT-3.4],
 * [MQTT-3.5]). Everything else passes unchanged, except that the broker's packets after
 * such a PUBACK on the same connection are dropped: the client closes the connection on
 * reading it, so they never count, and dropping them makes sure that messages published
 * after the QoS 2 one are still unacknowledged when it does.
 */
final class PubAckForQos2Proxy implements AutoCloseable {

	private static final int PUBREC = 0x50;

	private static final int PUBACK = 0x40;

	private final String targetHost;

	private final int targetPort;

	private final ServerSocket serverSocket;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger rewritten = new AtomicInteger();

	private volatile boolean closed;

	PubAckForQos2Proxy(String targetHost, int targetPort) {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		try {
			this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Thread acceptor = new Thread(this::accept, "pubrec-proxy-" + getPort() + "-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int getPort() {
		return this.serverSocket.getLocalPort();
	}

	String getUrl() {
		return "tcp://127.0.0.1:" + getPort();
	}

	/**
	 * Return how many client connections the proxy accepted.
	 * @return the connection count
	 */
	int getConnections() {
		return this.connections.get();
	}

	/**
	 * Return how many PUBREC packets were sent on as PUBACK.
	 * @return the count
	 */
	int getRewritten() {
		return this.rewritten.get();
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.serverSocket.accept();
				Socket broker = new Socket();
				broker.connect(new InetSocketAddress(this.targetHost, this.targetPort), 5000);
				this.connections.incrementAndGet();
				this.sockets.add(client);
				this.sockets.add(broker);
				pump("up", () -> copy(client.getInputStream(), broker.getOutputStream()), client, broker);
				pump("down", () -> rewrite(broker.getInputStream(), client.getOutputStream()), client, broker);
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	private void pump(String direction, IoTask task, Socket client, Socket broker) {
		Thread thread = new Thread(() -> {
			try {
				task.run();
			}
			catch (IOException ex) {
				// Either side closed: close both, as the network would.
			}
			finally {
				closeQuietly(client);
				closeQuietly(broker);
			}
		}, "pubrec-proxy-" + getPort() + "-" + direction);
		thread.setDaemon(true);
		thread.start();
	}

	private static void copy(InputStream in, OutputStream out) throws IOException {
		byte[] buffer = new byte[8192];
		int read;
		while ((read = in.read(buffer)) != -1) {
			out.write(buffer, 0, read);
			out.flush();
		}
	}

	private void rewrite(InputStream broker, OutputStream client) throws IOException {
		DataInputStream in = new DataInputStream(broker);
		boolean rewroteOne = false;
		while (true) {
			int type = in.read();
			if (type == -1) {
				return;
			}
			// Remaining length: variable byte integer [MQTT-1.5.5].
			byte[] header = new byte[5];
			int headerLength = 0;
			header[headerLength++] = (byte) ((type == PUBREC) ? PUBACK : type);
			int length = 0;
			int multiplier = 1;
			int digit;
			do {
				digit = in.read();
				if (digit == -1) {
					throw new EOFException();
				}
				header[headerLength++] = (byte) digit;
				length += (digit & 0x7F) * multiplier;
				multiplier *= 128;
			}
			while ((digit & 0x80) != 0);
			byte[] body = new byte[length];
			in.readFully(body);
			if (rewroteOne) {
				continue;
			}
			if (type == PUBREC) {
				this.rewritten.incrementAndGet();
				rewroteOne = true;
			}
			client.write(header, 0, headerLength);
			client.write(body);
			client.flush();
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Nothing more to do.
		}
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.serverSocket.close();
		}
		catch (IOException ex) {
			// Nothing more to do.
		}
		this.sockets.forEach(PubAckForQos2Proxy::closeQuietly);
	}

	@FunctionalInterface
	private interface IoTask {

		void run() throws IOException;

	}

}
