package io.mqttboot.reliability;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.MqttTestBrokerOptions;
import io.mqttboot.test.RabbitMqBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real multi-node broker: two RabbitMQ nodes clustered on loopback (two node names, two
 * AMQP, distribution and MQTT ports, one Erlang cookie). Two application instances, each
 * with {@code mqtt.urls} listing both nodes, start on different nodes and exchange
 * messages; the node of the consuming instance is stopped, and the instance moves to the
 * other node and resumes its persistent session there.
 * <p>
 * RabbitMQ keeps a persistent MQTT session's messages in a durable classic queue on the
 * node the client connected to. With that node down, the other node refuses the session
 * ({@code NOT_FOUND - home node ... of durable queue 'mqtt-subscription-<client id>qos1'
 * ... is down}), so the queue is mirrored to every node by a policy, as
 * {@code docs/brokers.md} recommends. RabbitMQ 3.10 speaks MQTT 3.1.1 only. Skipped when
 * RabbitMQ is not installed.
 */
class RabbitMqClusterIntegrationTests {

	private static final int MESSAGES = 600;

	private static RabbitMqBroker node1;

	private static RabbitMqBroker node2;

	@BeforeAll
	static void startCluster() {
		assumeTrue(RabbitMqBroker.isInstalled(), "RabbitMQ is not installed (apt-get install -y rabbitmq-server);"
				+ " skipping the two-node RabbitMQ cluster test");
		String cookie = UUID.randomUUID().toString().replace("-", "");
		node1 = new RabbitMqBroker(MqttTestBrokerOptions.defaults(), cookie);
		node2 = new RabbitMqBroker(MqttTestBrokerOptions.defaults(), cookie);
		node1.start();
		node2.start();
		node2.joinCluster(node1);
		node1.rabbitmqctl("set_policy", "mqtt-sessions", "^mqtt-subscription-",
				"{\"ha-mode\":\"all\",\"ha-sync-mode\":\"automatic\"}", "--apply-to", "queues");
	}

	@AfterAll
	static void stopCluster() {
		if (node2 != null) {
			node2.close();
		}
		if (node1 != null) {
			node1.close();
		}
	}

	@Test
	void nodeStoppedShouldMoveItsInstanceToTheOtherNodeAndLoseNoQos1Message() throws Exception {
		assertThat(node1.rabbitmqctl("cluster_status")).contains(node2.getNodeName());
		DeliveryTally tally = new DeliveryTally();
		String topic = "cluster/q1";
		// The reliability scenarios' consumer, with mqtt.url back at its default.
		Reliability.consumer("unused", "cluster-consumer", topic, tally)
			.withPropertyValues("mqtt.url=tcp://localhost:1883", "mqtt.urls=" + node1.getUrl() + "," + node2.getUrl(),
					"mqtt.version=3")
			.run((consumer) -> {
				assertThat(consumer).hasNotFailed();
				MqttClientManager consumerClient = Reliability.awaitSubscribed(consumer);
				Reliability.publisher("unused", "cluster-publisher")
					.withPropertyValues("mqtt.url=tcp://localhost:1883",
							"mqtt.urls=" + node2.getUrl() + "," + node1.getUrl(), "mqtt.version=3")
					.run((publisher) -> {
						assertThat(publisher).hasNotFailed();
						MqttClientManager publisherClient = Reliability.awaitConnected(publisher);
						assertThat(consumerClient.getServerUri()).isEqualTo(URI.create(node1.getUrl()));
						assertThat(publisherClient.getServerUri()).isEqualTo(URI.create(node2.getUrl()));
						MqttTemplate template = publisher.getBean(MqttTemplate.class);
						awaitAll(publishAsync(template, topic, 0, MESSAGES / 2));
						Reliability.awaitAllReceived(tally, MESSAGES / 2, Duration.ofSeconds(30));

						long stoppedAt = System.nanoTime();
						node1.stop();
						// Published while the consumer moves: they wait in its mirrored session queue.
						List<CompletableFuture<MqttPublishResult>> meanwhile = publishAsync(template, topic,
								MESSAGES / 2, MESSAGES);
						await().atMost(Duration.ofSeconds(60))
							.until(() -> consumerClient.isConnected()
									&& consumerClient.getServerUri().equals(URI.create(node2.getUrl())));
						long movedMillis = Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis();
						awaitAll(meanwhile);
						Reliability.awaitAllReceived(tally, MESSAGES, Duration.ofSeconds(60));
						Reliability.awaitSettled(consumer);
						Reliability.report("two-node RabbitMQ cluster, consumer's node stopped (QoS 1, mirrored"
								+ " session queue)", tally.summary(MESSAGES) + " sessionPresentAfterMove="
										+ consumerClient.isSessionPresent() + " movedAfter=" + movedMillis + "ms");
						assertThat(consumerClient.isSessionPresent()).as("session resumed on the other node").isTrue();
					});
			});
		assertThat(tally.missing(MESSAGES)).as(tally.summary(MESSAGES)).isEmpty();
	}

	private static List<CompletableFuture<MqttPublishResult>> publishAsync(MqttTemplate template, String topic,
			int from, int to) {
		List<CompletableFuture<MqttPublishResult>> futures = new ArrayList<>();
		for (int id = from; id < to; id++) {
			futures.add(template.newMessage(Integer.toString(id)).topic(topic + "/" + (id % 4)).qos(1).publishAsync());
		}
		return futures;
	}

	private static void awaitAll(List<CompletableFuture<MqttPublishResult>> futures) throws Exception {
		CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
	}

}
