package com.example.thermostat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the getting-started application of README.md and docs/index.md section 1 as written:
 * the embedded broker, the publish of its {@code ApplicationRunner} and its listener.
 */
@SpringBootTest(classes = ThermostatApplication.class,
		properties = { "mqtt.embedded.enabled=true", "mqtt.embedded.port=0" })
@ExtendWith(OutputCaptureExtension.class)
class GettingStartedIntegrationTests {

	@Test
	void publishedReadingShouldReachTheListenerThroughTheEmbeddedBroker(CapturedOutput output) {
		await().untilAsserted(
				() -> assertThat(output).contains("27.5 °C in the kitchen (from sensors/kitchen/temp)"));
	}

}
