package io.mqttboot.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free {@code 127.0.0.1} port that forwards to a target (usually a
 * {@link MqttTestBroker}) and injects network faults on command.
 * <p>
 * Stopping the broker tests a broker that goes away; this proxy tests the network between a
 * healthy client and a healthy broker: connections reset under the client ({@link #cutAll()}), a
 * link that silently stops carrying bytes ({@link #freeze()}), and a broker that cannot be reached
 * ({@link #rejectNew(boolean)}). Point the client at {@link #getUrl()} instead of the broker.
 * <p>
 * Each connection is a pair of blocking sockets with two daemon pump threads named
 * {@code fault-proxy-<port>-...}, one per direction. A pump reads a chunk, then passes a gate before
 * writing it: while the proxy is frozen the gate is closed, so the chunk waits in the pump and later
 * bytes wait in the kernel's socket buffers; nothing is dropped, and {@link #unfreeze()} forwards it
 * all in order. A chunk the pump had already passed the gate with when {@link #freeze()} was called
 * is still written. End of stream and connection errors wait at the gate too, so a frozen link does
 * not pass on a close either. All methods are thread-safe.
 *
 * @since 0.1.0
 */
public final class FaultProxy implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(FaultProxy.class);

	private static final int CONNECT_TIMEOUT_MILLIS = 5000;

	private final String targetHost;

	private final int targetPort;

	private final ServerSocket serverSocket;

	private final int port;

	private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

	private final AtomicInteger connectionIds = new AtomicInteger();

	private final ReentrantLock gateLock = new ReentrantLock();

	private final Condition gateChanged = this.gateLock.newCondition();

	private boolean frozen;

	private volatile boolean rejectNew;

	private volatile boolean closed;

	/**
	 * Start a proxy to the given target: bind a free loopback port and accept connections.
	 * @param targetHost the host to forward to
	 * @param targetPort the port to forward to
	 * @throws UncheckedIOException if no port can be bound
	 */
	public FaultProxy(String targetHost, int targetPort) {
		this.targetHost = Objects.requireNonNull(targetHost, "targetHost must not be null");
		this.targetPort = targetPort;
		try {
			this.serverSocket = new ServerSocket();
			this.serverSocket.setReuseAddress(true);
			this.serverSocket.bind(new InetSocketAddress(LoopbackPorts.address(), 0), 50);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot bind a fault proxy on " + LoopbackPorts.HOST, ex);
		}
		this.port = this.serverSocket.getLocalPort();
		Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + this.port + "-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Start a proxy to a broker. The broker may be stopped and restarted: it keeps its port, so the
	 * proxy keeps working.
	 * @param broker the broker to forward to
	 * @return the running proxy
	 */
	public static FaultProxy to(MqttTestBroker broker) {
		return new FaultProxy(broker.getHost(), broker.getPort());
	}

	/**
	 * Return the port the proxy listens on.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * Return the proxy's URL, to give to an MQTT client instead of the broker's.
	 * @return {@code tcp://127.0.0.1:<port>}
	 */
	public String getUrl() {
		return "tcp://" + LoopbackPorts.HOST + ":" + this.port;
	}

	/**
	 * Reset every open connection on both sides at once (TCP RST, {@code SO_LINGER 0}), as a
	 * crashed NAT or a pulled cable that comes back would. New connections are still accepted.
	 */
	public void cutAll() {
		for (Connection connection : this.connections) {
			connection.reset();
		}
	}

	/**
	 * Stop forwarding bytes in both directions on all connections, current and new, while keeping
	 * every socket open. Held bytes are forwarded by {@link #unfreeze()}.
	 */
	public void freeze() {
		setFrozen(true);
	}

	/**
	 * Forward the bytes held since {@link #freeze()} and continue forwarding.
	 */
	public void unfreeze() {
		setFrozen(false);
	}

	/**
	 * Undo every fault that lasts: {@link #unfreeze()} and stop {@link #rejectNew(boolean)
	 * rejecting} new connections. Connections already cut stay cut.
	 */
	public void restore() {
		this.rejectNew = false;
		unfreeze();
	}

	/**
	 * Set whether new connections are refused. A refused connection is accepted and reset at once,
	 * so the client sees its connection reset before CONNACK, without the proxy giving up its port.
	 * @param reject whether to refuse new connections
	 */
	public void rejectNew(boolean reject) {
		this.rejectNew = reject;
	}

	/**
	 * Return whether the proxy is frozen.
	 * @return whether bytes are held
	 */
	public boolean isFrozen() {
		this.gateLock.lock();
		try {
			return this.frozen;
		}
		finally {
			this.gateLock.unlock();
		}
	}

	/**
	 * Return how many client connections are open through the proxy.
	 * @return the number of open connections
	 */
	public int connectionCount() {
		return this.connections.size();
	}

	/**
	 * Stop accepting and reset every open connection.
	 */
	@Override
	public void close() {
		this.closed = true;
		try {
			this.serverSocket.close();
		}
		catch (IOException ex) {
			logger.debug("Cannot close fault proxy server socket on port {}", this.port, ex);
		}
		cutAll();
		// Wake pumps parked at the gate so they see that their connection is gone.
		setFrozen(false);
	}

	@Override
	public String toString() {
		return "FaultProxy " + getUrl() + " -> " + this.targetHost + ":" + this.targetPort;
	}

	private void setFrozen(boolean frozen) {
		this.gateLock.lock();
		try {
			this.frozen = frozen;
			this.gateChanged.signalAll();
		}
		finally {
			this.gateLock.unlock();
		}
	}

	/**
	 * Wait while the proxy is frozen.
	 * @param connection the connection the caller pumps for
	 * @return {@code true} to go on, {@code false} when the connection was reset meanwhile
	 */
	private boolean passGate(Connection connection) {
		this.gateLock.lock();
		try {
			while (this.frozen && !connection.isClosed()) {
				this.gateChanged.awaitUninterruptibly();
			}
			return !connection.isClosed();
		}
		finally {
			this.gateLock.unlock();
		}
	}

	private void wakeGate() {
		this.gateLock.lock();
		try {
			this.gateChanged.signalAll();
		}
		finally {
			this.gateLock.unlock();
		}
	}

	private void acceptLoop() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.serverSocket.accept();
			}
			catch (IOException ex) {
				if (!this.closed) {
					logger.warn("Fault proxy on port {} stopped accepting", this.port, ex);
				}
				return;
			}
			if (this.rejectNew || this.closed) {
				resetQuietly(client);
				continue;
			}
			Socket upstream = new Socket();
			try {
				upstream.connect(new InetSocketAddress(this.targetHost, this.targetPort), CONNECT_TIMEOUT_MILLIS);
			}
			catch (IOException ex) {
				// Target down: the client sees its connection reset, as it would see a refused connect.
				logger.debug("Fault proxy on port {} cannot reach {}:{}", this.port, this.targetHost, this.targetPort, ex);
				resetQuietly(upstream);
				resetQuietly(client);
				continue;
			}
			new Connection(client, upstream).start();
		}
	}

	private static void resetQuietly(Socket socket) {
		try {
			if (!socket.isClosed()) {
				socket.setSoLinger(true, 0);
			}
		}
		catch (SocketException ex) {
			// Already unusable; closing is all that is left.
		}
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Nothing more to do.
		}
	}

	/**
	 * One client connection and its upstream connection.
	 */
	private final class Connection {

		private final Socket client;

		private final Socket upstream;

		private final int id = FaultProxy.this.connectionIds.incrementAndGet();

		private final AtomicInteger openDirections = new AtomicInteger(2);

		private volatile boolean closed;

		Connection(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

		void start() {
			FaultProxy.this.connections.add(this);
			if (FaultProxy.this.closed) {
				reset();
				return;
			}
			pump(this.client, this.upstream, "up");
			pump(this.upstream, this.client, "down");
		}

		boolean isClosed() {
			return this.closed;
		}

		void reset() {
			this.closed = true;
			resetQuietly(this.client);
			resetQuietly(this.upstream);
			FaultProxy.this.connections.remove(this);
			wakeGate();
		}

		private void pump(Socket from, Socket to, String direction) {
			Thread thread = new Thread(() -> run(from, to),
					"fault-proxy-" + FaultProxy.this.port + "-" + this.id + "-" + direction);
			thread.setDaemon(true);
			thread.start();
		}

		private void run(Socket from, Socket to) {
			byte[] buffer = new byte[16 * 1024];
			try {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				int read;
				while ((read = in.read(buffer)) != -1) {
					if (!passGate(this)) {
						return;
					}
					out.write(buffer, 0, read);
					out.flush();
				}
				// Orderly end of stream: pass the half-close on, once the gate allows it.
				if (passGate(this)) {
					to.shutdownOutput();
					if (this.openDirections.decrementAndGet() == 0) {
						close();
					}
				}
			}
			catch (IOException ex) {
				// One side reset or failed: reset the other side too, once the gate allows it.
				if (passGate(this)) {
					reset();
				}
			}
		}

		private void close() {
			this.closed = true;
			try {
				this.client.close();
			}
			catch (IOException ex) {
				// Nothing more to do.
			}
			try {
				this.upstream.close();
			}
			catch (IOException ex) {
				// Nothing more to do.
			}
			FaultProxy.this.connections.remove(this);
			wakeGate();
		}

	}

}
