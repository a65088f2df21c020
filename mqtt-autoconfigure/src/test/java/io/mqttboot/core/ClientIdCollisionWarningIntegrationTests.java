package io.mqttboot.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client-id collision warning is for take-overs only: connections that the client
 * closes itself right after connecting, because the broker broke the protocol, must not
 * be reported as another application using the same client id.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClientIdCollisionWarningIntegrationTests {

	private static final String COLLISION_HINT = "Give each application instance a unique mqtt.client-id";

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.client-id=protocol-error", "mqtt.reconnect.initial-delay=50ms",
				"mqtt.reconnect.max-delay=200ms");

	@Test
	void connectionsTheClientClosesOnAProtocolErrorShouldNotBeReportedAsATakeOver(CapturedOutput output)
			throws IOException {
		try (SecondConnAckProxy proxy = new SecondConnAckProxy(broker.getHost(), broker.getPort())) {
			this.contextRunner.withPropertyValues("mqtt.url=tcp://127.0.0.1:" + proxy.getPort()).run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				// Every connection is accepted by mosquitto, then closed by the client within
				// milliseconds: twice the number that triggers the warning for broker closes.
				await().atMost(Duration.ofSeconds(20)).until(() -> manager.getReconnectCount() >= 6);
				assertThat(manager.getLastDisconnectReason()).as("the client closed on the broker's protocol error")
					.contains("CONNACK");
				assertThat(manager.getSessionTakeOverCount()).isZero();
				assertThat(output).doesNotContain(COLLISION_HINT);
			});
		}
	}

	/**
	 * Forwards to mosquitto and, after the broker's first bytes (its CONNACK), sends the
	 * client a second CONNACK, which MQTT forbids [MQTT-3.2.0-1]: the client must close the
	 * connection with a protocol error.
	 */
	static final class SecondConnAckProxy implements AutoCloseable {

		private static final byte[] CONNACK = { 0x20, 0x03, 0x00, 0x00, 0x00 };

		private final ServerSocket server;

		private final String host;

		private final int port;

		private final AtomicInteger connections = new AtomicInteger();

		SecondConnAckProxy(String host, int port) throws IOException {
			this.host = host;
			this.port = port;
			this.server = new ServerSocket();
			this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			start("second-connack-accept", this::accept);
		}

		int getPort() {
			return this.server.getLocalPort();
		}

		private void accept() {
			while (!this.server.isClosed()) {
				try {
					Socket client = this.server.accept();
					Socket broker = new Socket(this.host, this.port);
					int id = this.connections.incrementAndGet();
					start("second-connack-up-" + id, () -> pump(client, broker, false));
					start("second-connack-down-" + id, () -> pump(broker, client, true));
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		private static void pump(Socket from, Socket to, boolean inject) {
			byte[] buffer = new byte[8192];
			try (from; to) {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				boolean first = true;
				int read;
				while ((read = in.read(buffer)) >= 0) {
					out.write(buffer, 0, read);
					if (inject && first) {
						out.write(CONNACK);
					}
					first = false;
					out.flush();
				}
			}
			catch (IOException ex) {
				// One side closed: close the other (try-with-resources).
			}
		}

		private static void start(String name, Runnable task) {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			thread.start();
		}

		@Override
		public void close() throws IOException {
			this.server.close();
		}

	}

}
