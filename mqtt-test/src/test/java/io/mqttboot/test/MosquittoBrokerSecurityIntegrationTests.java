package io.mqttboot.test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for the password file and ACL of a {@link MosquittoBroker}.
 */
@MqttBrokerTest(allowAnonymous = false, users = { "alice:secret", "bob:b0b", "admin:admin" },
		acl = { "user alice", "topic readwrite allowed/#", "user bob", "topic read allowed/#", "user admin",
				"topic readwrite #" })
class MosquittoBrokerSecurityIntegrationTests {

	@Test
	void connectWithRightCredentialsShouldSucceed(MqttTestBroker broker) {
		try (TestClient client = TestClient.to(broker.getUrl())) {
			connect(client, "alice", "secret");
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void connectWithWrongPasswordShouldBeNotAuthorized(MqttTestBroker broker) {
		try (TestClient client = TestClient.to(broker.getUrl())) {
			Mqtt5ConnAckException failure = catchThrowableOfType(Mqtt5ConnAckException.class,
					() -> connect(client, "alice", "wrong"));
			assertThat(failure.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
		}
	}

	@Test
	void connectWithoutCredentialsShouldBeNotAuthorized(MqttTestBroker broker) {
		try (TestClient client = TestClient.to(broker.getUrl())) {
			Mqtt5ConnAckException failure = catchThrowableOfType(Mqtt5ConnAckException.class, client::connect);
			assertThat(failure.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
		}
	}

	// mosquitto's acl_file never refuses a SUBSCRIBE (2.0.11 grants it); it filters delivery instead.
	@Test
	void aclFileShouldGrantTheSubscriptionButDeliverOnlyReadableTopics(MqttTestBroker broker) {
		try (TestClient alice = TestClient.to(broker.getUrl()); TestClient admin = TestClient.to(broker.getUrl())) {
			connect(alice, "alice", "secret");
			connect(admin, "admin", "admin");
			Mqtt5SubAck subAck = alice.mqtt().subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
			assertThat(subAck.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
			admin.publish("denied/x", "secret");
			admin.publish("allowed/x", "public");
			// Both come from one connection, so the broker would deliver them in this order.
			await().until(alice::received, (received) -> received.contains("allowed/x=public"));
			assertThat(alice.received()).containsExactly("allowed/x=public");
		}
	}

	@Test
	void publishToATopicTheAclDeniesShouldBeNotAuthorized(MqttTestBroker broker) {
		try (TestClient bob = TestClient.to(broker.getUrl())) {
			connect(bob, "bob", "b0b");
			Mqtt5PubAckException failure = catchThrowableOfType(Mqtt5PubAckException.class,
					() -> bob.publish("allowed/x", "bob may only read"));
			assertThat(failure.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
		}
	}

	@Test
	void subscribeThatTheDynamicSecurityPluginDeniesShouldBeRefused(@TempDir Path dir) throws Exception {
		List<String> denyConfig = MosquittoBroker.denySubscriptions(dir, "denied/#").orElse(null);
		assumeThat(denyConfig).as("mosquitto dynamic security plugin").isNotNull();
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.extraConfig(denyConfig.toArray(String[]::new))
			.build();
		try (MqttTestBroker dynsec = new MosquittoBroker(options); TestClient client = TestClient.to(dynsec.getUrl())) {
			dynsec.start();
			client.connect();
			Mqtt5SubAckException failure = catchThrowableOfType(Mqtt5SubAckException.class,
					() -> client.mqtt().subscribeWith().topicFilter("denied/x").qos(MqttQos.AT_LEAST_ONCE).send());
			assertThat(failure.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
			Mqtt5SubAck granted = client.mqtt()
				.subscribeWith()
				.topicFilter("allowed/x")
				.qos(MqttQos.AT_LEAST_ONCE)
				.send();
			assertThat(granted.getReasonCodes()).isEqualTo(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1));
		}
	}

	@Test
	void passwordsThatMosquittoPasswdCannotHashShouldWork() {
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.allowAnonymous(false)
			.user("carol", "with:colon")
			.build();
		try (MqttTestBroker broker = new MosquittoBroker(options); TestClient client = TestClient.to(broker.getUrl())) {
			broker.start();
			assertThat(broker.getLog()).contains("hashed in Java");
			connect(client, "carol", "with:colon");
			assertThat(client.isConnected()).isTrue();
		}
	}

	private static void connect(TestClient client, String username, String password) {
		client.mqtt()
			.connectWith()
			.simpleAuth()
			.username(username)
			.password(password.getBytes(StandardCharsets.UTF_8))
			.applySimpleAuth()
			.send();
	}

}
