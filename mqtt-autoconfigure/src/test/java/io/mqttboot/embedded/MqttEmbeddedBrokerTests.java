package io.mqttboot.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link MqttEmbeddedBroker} that do not start it.
 */
class MqttEmbeddedBrokerTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			127.0.0.1 | tcp://127.0.0.1:18830
			localhost | tcp://localhost:18830
			0.0.0.0   | tcp://127.0.0.1:18830
			::        | tcp://[::1]:18830
			::1       | tcp://[::1]:18830
			[::1]     | tcp://[::1]:18830
			""")
	void urlShouldBeReachableFromThisHost(String host, String url) {
		MqttEmbeddedBroker broker = new MqttEmbeddedBroker(host, 18830);
		assertThat(broker.getUrl()).isEqualTo(url);
		assertThat(broker.isRunning()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(ints = { -1, 65536 })
	void createWithPortOutOfRangeShouldThrow(int port) {
		assertThatIllegalArgumentException().isThrownBy(() -> new MqttEmbeddedBroker("127.0.0.1", port))
			.withMessageContaining("between 0 and 65535")
			.withMessageContaining(Integer.toString(port));
	}

	@Test
	void createWithEmptyHostShouldThrow() {
		assertThatIllegalArgumentException().isThrownBy(() -> new MqttEmbeddedBroker(" ", 1883))
			.withMessageContaining("host");
	}

	@Test
	void stopBeforeStartShouldDoNothing() {
		MqttEmbeddedBroker broker = new MqttEmbeddedBroker("127.0.0.1", 0);
		broker.stop();
		broker.destroy();
		assertThat(broker.isRunning()).isFalse();
	}

}
