package io.mqttboot.test;

/**
 * A real MQTT broker that a test starts, stops, kills and restarts on a fixed loopback port.
 * <p>
 * Behaviour tests run against a real broker, never a mocked client, and fault tests need to take
 * the broker away and bring it back where the client expects it. The port is chosen when the broker
 * is created and kept across restarts, so {@link #getUrl()} is valid before the first
 * {@link #start()} and after every restart.
 * <p>
 * {@link #create(MqttTestBrokerOptions)} picks the implementation: {@link MosquittoBroker} (a
 * {@code mosquitto} child process) when the binary is installed, otherwise the in-process
 * {@link MoquetteBroker}. The system property {@value #IMPLEMENTATION_PROPERTY} set to
 * {@code mosquitto}, {@code moquette} or {@code hivemq} ({@link HiveMqBroker}, HiveMQ CE in a child
 * JVM) forces one, for example to run a whole test suite against HiveMQ CE. Other brokers, such as
 * {@link RabbitMqBroker}, are created directly. Not intended to be implemented by users.
 *
 * @since 0.1.0
 * @see MqttBrokerExtension
 */
public interface MqttTestBroker extends AutoCloseable {

	/**
	 * System property that forces the implementation: {@code mosquitto}, {@code moquette},
	 * {@code hivemq} or {@code auto} (the default).
	 */
	String IMPLEMENTATION_PROPERTY = "mqttboot.test.broker";

	/**
	 * Return the host the broker listens on.
	 * @return always {@code 127.0.0.1}
	 */
	String getHost();

	/**
	 * Return the port the broker listens on; it does not change across restarts.
	 * @return the port
	 */
	int getPort();

	/**
	 * Return the broker's URL, as {@code mqtt.url} expects it.
	 * @return {@code tcp://127.0.0.1:<port>}
	 */
	default String getUrl() {
		return "tcp://" + getHost() + ":" + getPort();
	}

	/**
	 * Return which broker runs, with its version.
	 * @return for example {@code mosquitto 2.0.11} or {@code moquette 0.18.3}
	 */
	String getImplementation();

	/**
	 * Return the options this broker was created with.
	 * @return the options
	 */
	MqttTestBrokerOptions getOptions();

	/**
	 * Start the broker on {@link #getPort()} and wait until it accepts connections. Does nothing
	 * when the broker is already running.
	 * @throws IllegalStateException if the broker does not come up within the startup timeout,
	 * with the broker's log in the message
	 */
	void start();

	/**
	 * Stop the broker gracefully and wait until it is gone: clients see their connection close,
	 * and a persistent broker saves its state. Does nothing when the broker is not running.
	 */
	void stop();

	/**
	 * Stop the broker abruptly, as a crash would: no state is saved on the way out. Does nothing
	 * when the broker is not running.
	 */
	void kill();

	/**
	 * {@link #stop() Stop} the broker if it runs, then {@link #start() start} it again on the same
	 * port.
	 */
	default void restart() {
		stop();
		start();
	}

	/**
	 * Return whether the broker is running.
	 * @return whether the broker is running
	 */
	boolean isRunning();

	/**
	 * Return what the broker logged so far, across restarts, for debugging a failed test.
	 * @return the broker's log
	 */
	String getLog();

	/**
	 * Stop the broker and delete its working files (configuration, persistence). The broker cannot
	 * be started again.
	 */
	@Override
	void close();

	/**
	 * Create a broker with the default options, not yet started.
	 * @return the broker
	 * @see #create(MqttTestBrokerOptions)
	 */
	static MqttTestBroker create() {
		return create(MqttTestBrokerOptions.defaults());
	}

	/**
	 * Create a broker, not yet started: mosquitto when installed, otherwise Moquette, unless the
	 * {@value #IMPLEMENTATION_PROPERTY} system property forces one.
	 * @param options what the broker must provide
	 * @return the broker
	 * @throws IllegalStateException if no implementation is available, or the chosen one cannot
	 * provide what the options ask for
	 */
	static MqttTestBroker create(MqttTestBrokerOptions options) {
		return BrokerSelection.select().create(options);
	}

}
