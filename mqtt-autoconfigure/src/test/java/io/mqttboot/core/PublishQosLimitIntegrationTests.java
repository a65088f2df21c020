package io.mqttboot.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A QoS 2 publish to a broker without QoS 2 must not take the client down: it is sent
 * with the broker's announced Maximum QoS (MQTT 5) or {@code mqtt.publish.max-qos}, and
 * a message the broker answers by ending the connection again and again is given up.
 * <p>
 * {@link PubAckForQos2Proxy} imitates RabbitMQ 3.10, which answers a QoS 2 PUBLISH with
 * PUBACK; {@code RabbitMqQos2IntegrationTests} checks the real thing when installed.
 */
class PublishQosLimitIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@RegisterExtension
	static final MqttBrokerExtension qos1Broker = MqttBrokerExtension.builder().extraConfig("max_qos 1").build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=50ms", "mqtt.reconnect.max-delay=200ms");

	@Test
	void qos2PublishShouldBeSentWithTheMaximumQosAnMqtt5BrokerAnnounces() {
		MqttTestBroker mosquitto = qos1Broker.get();
		try (RawMqttClient subscriber = RawMqttClient.connect(mosquitto.getHost(), mosquitto.getPort())) {
			subscriber.subscribe("limit/#", 1);
			this.contextRunner.withPropertyValues("mqtt.url=" + mosquitto.getUrl()).run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				MqttTemplate template = context.getBean(MqttTemplate.class);
				await().atMost(TIMEOUT).until(manager::isConnected);

				MqttPublishResult result = template.newMessage("exactly-once")
					.topic("limit/announced")
					.qos(2)
					.publishAsync()
					.get(30, TimeUnit.SECONDS);

				assertThat(result.qos()).as("QoS sent").isEqualTo(1);
				await().atMost(TIMEOUT).until(() -> subscriber.payloads().contains("exactly-once"));
				assertThat(manager.getPublishDowngradedCount()).isEqualTo(1);
				assertThat(manager.getReconnectCount()).as("reconnects").isZero();
			});
		}
	}

	@ParameterizedTest(name = "MQTT version {0}")
	@ValueSource(ints = { 3, 5 })
	void maxQosShouldKeepQos2PublishesAwayFromABrokerThatAnswersThemWithPubAck(int version) {
		MqttTestBroker mosquitto = broker.get();
		try (PubAckForQos2Proxy proxy = new PubAckForQos2Proxy(mosquitto.getHost(), mosquitto.getPort());
				RawMqttClient subscriber = RawMqttClient.connect(mosquitto.getHost(), mosquitto.getPort())) {
			subscriber.subscribe("limit/#", 2);
			this.contextRunner
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.version=" + version, "mqtt.publish.max-qos=1")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					MqttTemplate template = context.getBean(MqttTemplate.class);
					await().atMost(TIMEOUT).until(manager::isConnected);

					MqttPublishResult result = template.newMessage("configured-" + version)
						.topic("limit/configured")
						.qos(2)
						.publishAsync()
						.get(30, TimeUnit.SECONDS);

					assertThat(result.qos()).as("QoS sent").isEqualTo(1);
					await().atMost(TIMEOUT).until(() -> subscriber.payloads().contains("configured-" + version));
					assertThat(proxy.getRewritten()).as("PUBREC turned into PUBACK").isZero();
					assertThat(manager.getReconnectCount()).as("reconnects").isZero();
				});
		}
	}

	@ParameterizedTest(name = "MQTT version {0}")
	@ValueSource(ints = { 3, 5 })
	void qos2PublishThatKeepsEndingTheConnectionShouldBeGivenUpAndTheClientShouldRecover(int version) {
		MqttTestBroker mosquitto = broker.get();
		try (PubAckForQos2Proxy proxy = new PubAckForQos2Proxy(mosquitto.getHost(), mosquitto.getPort());
				RawMqttClient subscriber = RawMqttClient.connect(mosquitto.getHost(), mosquitto.getPort())) {
			subscriber.subscribe("limit/#", 1);
			this.contextRunner.withUserConfiguration(RecordingListener.class)
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.version=" + version)
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					MqttTemplate template = context.getBean(MqttTemplate.class);
					RecordingListener listener = context.getBean(RecordingListener.class);
					awaitGranted(manager, TIMEOUT);

					CompletableFuture<MqttPublishResult> poison = template.newMessage("poison-" + version)
						.topic("limit/poison")
						.qos(2)
						.publishAsync();
					CompletableFuture<MqttPublishResult> innocent = template.newMessage("innocent-" + version)
						.topic("limit/innocent")
						.qos(1)
						.publishAsync();

					Throwable failure = catchThrowable(() -> poison.get(30, TimeUnit.SECONDS));
					assertThat(failure).isInstanceOf(ExecutionException.class)
						.cause()
						.isInstanceOf(MqttPublishException.class)
						.hasMessageContaining("Gave up publishing to topic 'limit/poison' (QoS 2")
						.hasMessageContaining("mqtt.publish.max-qos=1");
					assertThat(((MqttPublishException) failure.getCause()).getTopic()).isEqualTo("limit/poison");
					assertThat(innocent.get(30, TimeUnit.SECONDS).qos()).isEqualTo(1);
					assertThat(manager.getPublishGivenUpCount()).isEqualTo(1);
					assertThat(template.newMessage("after-" + version).topic("limit/after").qos(1).publishAsync()
						.get(30, TimeUnit.SECONDS)
						.qos()).isEqualTo(1);
					await().atMost(TIMEOUT)
						.until(() -> subscriber.payloads().containsAll(List.of("innocent-" + version, "after-" + version)));
					try (RawMqttClient publisher = RawMqttClient.connect(mosquitto.getHost(), mosquitto.getPort())) {
						publisher.publish("echo/limit", "echo-" + version, 1, false);
					}
					await().atMost(TIMEOUT).until(() -> listener.received.contains("echo-" + version));
					assertThat(manager.getReconnectCount()).as("connections ended by the message")
						.isEqualTo(MqttPublishGuard.MAX_CONNECTION_CUTS);
					assertThat(manager.isConnected()).isTrue();
				});
		}
	}

	@ParameterizedTest(name = "MQTT version {0}")
	@ValueSource(ints = { 3, 5 })
	void givingUpWithAPersistentSessionShouldStartCleanOnceAndThenResumeSessionsAgain(int version) {
		MqttTestBroker mosquitto = broker.get();
		String clientId = "qos-limit-persistent-" + version;
		try (PubAckForQos2Proxy proxy = new PubAckForQos2Proxy(mosquitto.getHost(), mosquitto.getPort())) {
			this.contextRunner.withUserConfiguration(RecordingListener.class)
				.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.version=" + version, "mqtt.client-id=" + clientId,
						"mqtt.clean-start=false", "mqtt.session-expiry=1h")
				.run((context) -> {
					MqttClientManager manager = context.getBean(MqttClientManager.class);
					MqttTemplate template = context.getBean(MqttTemplate.class);
					RecordingListener listener = context.getBean(RecordingListener.class);
					awaitGranted(manager, TIMEOUT);
					CompletableFuture<MqttPublishResult> poison = template.newMessage("poison")
						.topic("limit/poison")
						.qos(2)
						.publishAsync();
					CompletableFuture<MqttPublishResult> innocent = template.newMessage("innocent")
						.topic("echo/limit")
						.qos(1)
						.publishAsync();

					assertThat(catchThrowable(() -> poison.get(30, TimeUnit.SECONDS)))
						.hasCauseInstanceOf(MqttPublishException.class);
					assertThat(innocent.get(30, TimeUnit.SECONDS).qos()).isEqualTo(1);
					await().atMost(TIMEOUT).until(() -> listener.received.contains("innocent"));
					// mosquitto logs "(p2, c1, k44)": protocol level 2 stands for 3.1.1, c for clean start.
					int mark = mosquitto.getLog().length();
					mosquitto.restart();
					await().atMost(TIMEOUT)
						.until(() -> mosquitto.getLog().indexOf("as " + clientId + " (", mark) >= 0);
					String connects = mosquitto.getLog().substring(0, mark);
					assertThat(count(connects, "as " + clientId + " (p")).as("connections before the restart")
						.isEqualTo(1 + MqttPublishGuard.MAX_CONNECTION_CUTS);
					assertThat(count(connects, "as " + clientId + " (p" + ((version == 5) ? 5 : 2) + ", c1"))
						.as("clean starts: the one after the give-up")
						.isEqualTo(1);
					assertThat(mosquitto.getLog().substring(mark)).as("reconnect after the restart")
						.contains("as " + clientId + " (p" + ((version == 5) ? 5 : 2) + ", c0");
				});
		}
	}

	private static long count(String log, String text) {
		return log.lines().filter((line) -> line.contains(text)).count();
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "echo", topics = "echo/limit", qos = 1)
		void onMessage(String payload) {
			this.received.add(payload);
		}

	}

}
