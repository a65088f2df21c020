package io.mqttboot.embedded;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubcomp.Mqtt5PubCompReasonCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link MqttEmbeddedBroker} with raw HiveMQ clients.
 */
class MqttEmbeddedBrokerIntegrationTests {

	// Shared: Moquette takes about two seconds to stop its event loops.
	private static final MqttEmbeddedBroker broker = new MqttEmbeddedBroker("127.0.0.1", 0);

	private final List<Mqtt5AsyncClient> clients = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void startBroker() {
		broker.start();
	}

	@AfterAll
	static void stopBroker() {
		broker.stop();
	}

	@AfterEach
	void disconnectClients() {
		this.clients.forEach((client) -> client.disconnect().exceptionally((ex) -> null).join());
	}

	@ParameterizedTest
	@EnumSource(MqttQos.class)
	void publishShouldReachSubscriberWithTheSameQos(MqttQos qos) {
		List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
		Mqtt5AsyncClient subscriber = connect();
		subscriber.subscribeWith()
			.topicFilter("sensors/+/temperature")
			.qos(MqttQos.EXACTLY_ONCE)
			.callback(received::add)
			.send()
			.join();
		Mqtt5PublishResult result = connect().publishWith()
			.topic("sensors/d1/temperature")
			.qos(qos)
			.payload("21.5".getBytes(StandardCharsets.UTF_8))
			.send()
			.join();
		assertThat(result.getError()).isEmpty();
		if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1) {
			assertThat(qos1.getPubAck().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
		}
		if (result instanceof Mqtt5PublishResult.Mqtt5Qos2CompleteResult qos2) {
			assertThat(qos2.getPubComp().getReasonCode()).isEqualTo(Mqtt5PubCompReasonCode.SUCCESS);
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).singleElement()
			.satisfies((publish) -> {
				assertThat(publish.getTopic()).hasToString("sensors/d1/temperature");
				assertThat(publish.getQos()).isEqualTo(qos);
				assertThat(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("21.5");
			}));
	}

	@Test
	void deliveredQosShouldBeTheMinimumOfPublishAndSubscriptionQos() {
		List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
		connect().subscribeWith()
			.topicFilter("cmd/#")
			.qos(MqttQos.AT_LEAST_ONCE)
			.callback(received::add)
			.send()
			.join();
		connect().publishWith().topic("cmd/valve/7").qos(MqttQos.EXACTLY_ONCE).payload(new byte[] { 1 }).send().join();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).singleElement()
			.satisfies((publish) -> assertThat(publish.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE)));
	}

	@Test
	void retainedMessageShouldReachLaterSubscriber() {
		connect().publishWith()
			.topic("devices/d1/status")
			.qos(MqttQos.AT_LEAST_ONCE)
			.retain(true)
			.payload("online".getBytes(StandardCharsets.UTF_8))
			.send()
			.join();
		List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
		connect().subscribeWith()
			.topicFilter("devices/+/status")
			.qos(MqttQos.AT_LEAST_ONCE)
			.callback(received::add)
			.send()
			.join();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).singleElement()
			.satisfies((publish) -> {
				assertThat(publish.isRetain()).isTrue();
				assertThat(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("online");
			}));
	}

	@Test
	void mqtt311ClientShouldPublishAndSubscribe() {
		Mqtt3AsyncClient client = Mqtt3Client.builder()
			.identifier("v3-" + UUID.randomUUID())
			.serverHost("127.0.0.1")
			.serverPort(broker.getPort())
			.buildAsync();
		client.connect().join();
		try {
			List<Mqtt3Publish> received = new CopyOnWriteArrayList<>();
			client.subscribeWith().topicFilter("v3/#").qos(MqttQos.AT_LEAST_ONCE).callback(received::add).send().join();
			client.publishWith().topic("v3/a").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] { 42 }).send().join();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).hasSize(1));
		}
		finally {
			client.disconnect().join();
		}
	}

	@Test
	void urlShouldNameTheBoundPort() {
		assertThat(broker.getPort()).isPositive();
		assertThat(broker.getUrl()).isEqualTo("tcp://127.0.0.1:" + broker.getPort());
	}

	@Test
	void getUrlWithPortZeroShouldStartTheBroker() {
		MqttEmbeddedBroker lazy = new MqttEmbeddedBroker("127.0.0.1", 0);
		try {
			assertThat(lazy.isRunning()).isFalse();
			String url = lazy.getUrl();
			assertThat(lazy.isRunning()).isTrue();
			assertThat(url).startsWith("tcp://127.0.0.1:").doesNotEndWith(":0");
			lazy.start();
			assertThat(lazy.getUrl()).isEqualTo(url);
		}
		finally {
			lazy.stop();
		}
	}

	@Test
	void getUrlWithFixedPortShouldNotStartTheBroker() throws IOException {
		int port = freePort();
		MqttEmbeddedBroker fixed = new MqttEmbeddedBroker("127.0.0.1", port);
		assertThat(fixed.getUrl()).isEqualTo("tcp://127.0.0.1:" + port);
		assertThat(fixed.isRunning()).isFalse();
	}

	@Test
	void restartShouldKeepTheRandomPort() {
		MqttEmbeddedBroker restarted = new MqttEmbeddedBroker("127.0.0.1", 0);
		try {
			restarted.start();
			int port = restarted.getPort();
			restarted.stop();
			assertThat(restarted.isRunning()).isFalse();
			assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close());
			restarted.start();
			assertThat(restarted.getPort()).isEqualTo(port);
			connect(restarted);
		}
		finally {
			restarted.stop();
		}
	}

	@Test
	void startWhenPortIsTakenShouldFailNamingHostAndPort() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
			MqttEmbeddedBroker clashing = new MqttEmbeddedBroker("127.0.0.1", taken.getLocalPort());
			assertThatExceptionOfType(MqttException.class).isThrownBy(clashing::start)
				.withMessageContaining("127.0.0.1:" + taken.getLocalPort())
				.withMessageContaining("mqtt.embedded.port");
			assertThat(clashing.isRunning()).isFalse();
		}
	}

	@Test
	void brokerShouldStartBeforeAndStopAfterTheClients() {
		assertThat(broker.getPhase()).isLessThan(MqttClientManager.PHASE);
	}

	private Mqtt5AsyncClient connect() {
		return connect(broker);
	}

	private Mqtt5AsyncClient connect(MqttEmbeddedBroker target) {
		Mqtt5AsyncClient client = Mqtt5Client.builder()
			.identifier("test-" + UUID.randomUUID())
			.serverHost("127.0.0.1")
			.serverPort(target.getPort())
			.buildAsync();
		client.connect().join();
		this.clients.add(client);
		return client;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
	}

}
