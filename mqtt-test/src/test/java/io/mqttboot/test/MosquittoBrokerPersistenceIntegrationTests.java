package io.mqttboot.test;

import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for a persistent {@link MosquittoBroker} that is killed and started again.
 */
@MqttBrokerTest(persistence = true)
class MosquittoBrokerPersistenceIntegrationTests {

	private static final String SAVED = "Saving in-memory database";

	@Test
	void killThenStartShouldKeepAPersistentSessionWithItsQueuedMessage(MqttTestBroker broker) {
		String topic = "queue/kill";
		try (TestClient subscriber = TestClient.to(broker.getUrl(), "kill-subscriber")) {
			subscriber.mqtt().connectWith().cleanStart(false).sessionExpiryInterval(TimeUnit.HOURS.toSeconds(1)).send();
			subscriber.mqtt().subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
		}
		try (TestClient publisher = TestClient.to(broker.getUrl(), "kill-publisher").connect()) {
			publisher.publish(topic, "queued while offline");
		}
		// mosquitto saves in the loop iteration after the change, maybe after the PUBACK: wait for it.
		await().until(broker::getLog, (log) -> savedAfter(log, "Received PUBLISH from kill-publisher"));
		broker.kill();
		broker.start();
		try (TestClient subscriber = TestClient.to(broker.getUrl(), "kill-subscriber")) {
			Mqtt5ConnAck connAck = subscriber.mqtt()
				.connectWith()
				.cleanStart(false)
				.sessionExpiryInterval(TimeUnit.HOURS.toSeconds(1))
				.send();
			assertThat(connAck.isSessionPresent()).isTrue();
			await().until(subscriber::received, (received) -> received.contains(topic + "=queued while offline"));
		}
	}

	@Test
	void stopThenStartShouldKeepRetainedMessages(MqttTestBroker broker) {
		try (TestClient publisher = TestClient.to(broker.getUrl()).connect()) {
			publisher.mqtt()
				.publishWith()
				.topic("retained/stop")
				.qos(MqttQos.AT_LEAST_ONCE)
				.retain(true)
				.payload("kept".getBytes())
				.send();
		}
		broker.restart();
		try (TestClient subscriber = TestClient.to(broker.getUrl()).connect()) {
			subscriber.subscribe("retained/stop");
			await().until(subscriber::received, (received) -> received.contains("retained/stop=kept"));
		}
	}

	private static boolean savedAfter(String log, String marker) {
		int at = log.lastIndexOf(marker);
		return at >= 0 && log.indexOf(SAVED, at) >= 0;
	}

}
