package io.mqttboot.core;

import java.net.URI;
import java.util.List;

import io.mqttboot.support.converter.DefaultMqttMessageConverter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Topic validation of {@link MqttTemplate}'s publish builder, which skips re-validating
 * the topic string instance it validated last. No broker: nothing is published.
 */
class MqttTemplateTests {

	private final MqttTemplate template = new MqttTemplate(new MqttClientManager("default",
			MqttClientSettings.builder().serverUri(URI.create("tcp://127.0.0.1:1")).clientId("template-tests").build(),
			List.of(), null), new DefaultMqttMessageConverter(null));

	@Test
	void invalidTopicShouldBeRejectedRightAfterAValidOne() {
		String valid = "sensors/1/temp";
		assertThatNoException().isThrownBy(() -> this.template.newMessage("x").topic(valid));
		assertThatNoException().isThrownBy(() -> this.template.newMessage("x").topic(valid));
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.newMessage("x").topic("sensors/+/temp"))
			.withMessageContaining("'sensors/+/temp'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.publishAsync("sensors/#", "x"))
			.withMessageContaining("'sensors/#'");
	}

	@Test
	void sameInvalidTopicInstanceShouldBeRejectedEveryTime() {
		String invalid = "a/+/b";
		for (int i = 0; i < 3; i++) {
			assertThatIllegalArgumentException().isThrownBy(() -> this.template.newMessage("x").topic(invalid))
				.withMessageContaining("MQTT-3.3.2-2");
		}
	}

	@Test
	void alternatingValidAndInvalidTopicsShouldAlwaysRejectTheInvalidOnes() {
		List<String> valid = List.of("a/b", "a/b/c", "x/y z", "a/b");
		List<String> invalid = List.of("a/+", "a/#", "", "a\u0000b", "#");
		for (int round = 0; round < 50; round++) {
			String good = valid.get(round % valid.size());
			String bad = invalid.get(round % invalid.size());
			assertThatNoException().isThrownBy(() -> this.template.newMessage("x").topic(good));
			assertThatIllegalArgumentException().as("round %d: '%s'", round, bad)
				.isThrownBy(() -> this.template.newMessage("x").topic(bad));
			// The same invalid instance right after itself, then the valid one again.
			assertThatIllegalArgumentException().as("round %d again: '%s'", round, bad)
				.isThrownBy(() -> this.template.newMessage("x").topic(bad));
		}
	}

}
