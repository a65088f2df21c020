package io.mqttboot.reliability;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.health.MqttHealthIndicator;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code mqtt.urls} against two brokers on two ports: the client connects to the first
 * that answers and moves on to the next one when the connection is lost.
 * <p>
 * Two separate mosquitto brokers are not a cluster: nothing they hold travels from one to
 * the other. So the publisher reaches the second broker only through a {@link FaultProxy}
 * that refuses it until the consumer has subscribed there; what it publishes meanwhile
 * waits in its outbox. In a real cluster the nodes share subscriptions and sessions, see
 * {@code RabbitMqClusterIntegrationTests}.
 */
@ExtendWith(QuietBrokerLogExtension.class)
class ServerListIntegrationTests {

	private static final int MESSAGES = 400;

	private MqttTestBroker first;

	private MqttTestBroker second;

	@BeforeEach
	void startBrokers() {
		this.first = MqttTestBroker.create();
		this.second = MqttTestBroker.create();
		this.first.start();
		this.second.start();
	}

	@AfterEach
	void stopBrokers() throws Exception {
		this.first.close();
		this.second.close();
	}

	@Test
	void brokerInUseStoppedShouldMoveClientsToTheNextServerAndLoseNoQos1Message() {
		DeliveryTally tally = new DeliveryTally();
		String topic = "urls/q1";
		try (FaultProxy toSecond = FaultProxy.to(this.second)) {
			// The consumer of the reliability scenarios, with mqtt.url back at its default.
			Reliability.consumer("unused", "urls-consumer", topic, tally)
				.withPropertyValues("mqtt.url=tcp://localhost:1883",
						"mqtt.urls=" + this.first.getUrl() + "," + this.second.getUrl())
				.run((consumer) -> {
					assertThat(consumer).hasNotFailed();
					MqttClientManager consumerClient = Reliability.awaitSubscribed(consumer);
					client(this.first.getUrl(), toSecond.getUrl()).run((publisher) -> {
						assertThat(publisher).hasNotFailed();
						MqttClientManager publisherClient = Reliability.awaitConnected(publisher);
						assertThat(consumerClient.getServerUri()).isEqualTo(URI.create(this.first.getUrl()));
						assertThat(publisherClient.getServerUri()).isEqualTo(URI.create(this.first.getUrl()));
						MqttTemplate template = publisher.getBean(MqttTemplate.class);
						publish(template, topic, 0, MESSAGES / 2);
						Reliability.awaitAllReceived(tally, MESSAGES / 2, Duration.ofSeconds(20));

						toSecond.rejectNew(true);
						this.first.stop();
						// Published while the publisher has no broker: kept in its outbox.
						List<CompletableFuture<MqttPublishResult>> meanwhile = publishAsync(template, topic,
								MESSAGES / 2, MESSAGES);
						await().atMost(Duration.ofSeconds(20))
							.until(() -> consumerClient.isConnected()
									&& consumerClient.getServerUri().equals(URI.create(this.second.getUrl()))
									&& consumerClient.getSubscriptions()
										.stream()
										.allMatch((status) -> status.grantedQos() != null));
						toSecond.rejectNew(false);
						CompletableFuture.allOf(meanwhile.toArray(CompletableFuture[]::new))
							.get(30, java.util.concurrent.TimeUnit.SECONDS);
						Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(30));

						assertThat(publisherClient.getServerUri()).isEqualTo(URI.create(toSecond.getUrl()));
						assertThat(new MqttHealthIndicator(consumerClient).health().getDetails())
							.containsEntry("serverUri", this.second.getUrl())
							.containsEntry("serverUris", List.of(this.first.getUrl(), this.second.getUrl()));
						MqttEndpoint.ClientDescriptor described = new MqttEndpoint(
								consumer.getBean(MqttClientRegistry.class), null)
							.clients()
							.clients()
							.get("default");
						assertThat(described.serverUri()).isEqualTo(this.second.getUrl());
						assertThat(described.serverUris()).containsExactly(this.first.getUrl(),
								this.second.getUrl());
					});
				});
		}
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
	}

	@Test
	void firstServerDownAtStartupShouldConnectToTheNextOne() {
		String down = "tcp://127.0.0.1:" + freePort();
		client(down, this.second.getUrl()).withPropertyValues("mqtt.fail-fast=true").run((context) -> {
			// With fail-fast the context starts only once a server of the list accepted it.
			assertThat(context).hasNotFailed();
			MqttClientManager client = context.getBean(MqttClientManager.class);
			assertThat(client.isConnected()).isTrue();
			assertThat(client.getServerUri()).isEqualTo(URI.create(this.second.getUrl()));
		});
	}

	@Test
	void everyServerDownAtStartupWithFailFastShouldFailNamingTheLastOneTried() {
		String down = "tcp://127.0.0.1:" + freePort();
		this.second.stop();
		client(down, this.second.getUrl()).withPropertyValues("mqtt.fail-fast=true")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("could not connect to " + this.second.getUrl())
				.hasStackTraceContaining("(tried each of [" + down + ", " + this.second.getUrl() + "])"));
	}

	private static ApplicationContextRunner client(String... urls) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues("mqtt.urls=" + String.join(",", urls), "mqtt.client-id=urls-publisher",
					"mqtt.clean-start=false", "mqtt.session-expiry=1h", "mqtt.reconnect.initial-delay=50ms",
					"mqtt.reconnect.max-delay=500ms", "mqtt.connect-timeout=2s");
	}

	private static void publish(MqttTemplate template, String topic, int from, int to) throws Exception {
		CompletableFuture.allOf(publishAsync(template, topic, from, to).toArray(CompletableFuture[]::new))
			.get(20, java.util.concurrent.TimeUnit.SECONDS);
	}

	private static List<CompletableFuture<MqttPublishResult>> publishAsync(MqttTemplate template, String topic,
			int from, int to) {
		List<CompletableFuture<MqttPublishResult>> futures = new ArrayList<>();
		for (int id = from; id < to; id++) {
			futures.add(template.newMessage(Integer.toString(id)).topic(topic + "/" + (id % 4)).qos(1).publishAsync());
		}
		return futures;
	}

	private static int freePort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
