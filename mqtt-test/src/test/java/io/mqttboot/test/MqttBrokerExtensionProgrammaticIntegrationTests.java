package io.mqttboot.test;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link MqttBrokerExtension} registered on a static field.
 */
class MqttBrokerExtensionProgrammaticIntegrationTests {

	@RegisterExtension
	static MqttBrokerExtension broker = MqttBrokerExtension.builder().maxQueuedMessages(10).build();

	@BeforeAll
	static void brokerShouldRunBeforeAll() {
		assertThat(broker.get().isRunning()).isTrue();
	}

	@Test
	void staticAccessorsAndParameterShouldShareTheBroker(MqttTestBroker injected) {
		assertThat(injected).isSameAs(broker.get());
		assertThat(broker.getUrl()).isEqualTo("tcp://127.0.0.1:" + broker.getPort());
		assertThat(broker.getHost()).isEqualTo("127.0.0.1");
		assertThat(injected.getOptions().getMaxQueuedMessages()).isEqualTo(10);
	}

	@Test
	void clientShouldReceiveWhatItPublishes() {
		try (TestClient client = TestClient.to(broker.getUrl()).connect()) {
			client.subscribe("programmatic/+");
			client.publish("programmatic/a", "1");
			await().until(client::received, (received) -> received.contains("programmatic/a=1"));
		}
	}

}
