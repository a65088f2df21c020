package io.mqttboot.demo;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.mqttboot.core.MqttOperations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link ThresholdMonitor#check(Reading, String)}; the round trip over the
 * broker is in {@link DemoApplicationTests}.
 */
class ThresholdMonitorTests {

	private static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");

	// check() never publishes; the mock only satisfies the constructor.
	private final ThresholdMonitor monitor = new ThresholdMonitor(mock(MqttOperations.class));

	@Test
	void checkWhenValueRisesAboveThresholdShouldRaiseAnAlertNamingDeviceValueAndThreshold() {
		assertThat(this.monitor.check(temperature("spoofed", 27.9), "server-room")).isNull();
		assertThat(this.monitor.check(temperature("spoofed", 28.4), "server-room"))
			.isEqualTo(new Alert("server-room", "temperature", 28.4, 28.0, T0));
	}

	@Test
	void checkWhenFirstValueIsAboveThresholdShouldRaiseAnAlert() {
		assertThat(this.monitor.check(reading("cellar", "humidity", 90.0), "cellar")).isNotNull();
	}

	@Test
	void checkWhenValueStaysAboveThresholdShouldRaiseOnlyOneAlert() {
		assertThat(this.monitor.check(temperature("server-room", 29.0), "server-room")).isNotNull();
		assertThat(this.monitor.check(temperature("server-room", 30.0), "server-room")).isNull();
		assertThat(this.monitor.check(temperature("server-room", 28.1), "server-room")).isNull();
	}

	@Test
	void checkWhenValueFallsBelowThresholdMinusHysteresisAndRisesAgainShouldRaiseASecondAlert() {
		assertThat(this.monitor.check(temperature("server-room", 29.0), "server-room")).isNotNull();
		assertThat(this.monitor.check(temperature("server-room", 27.5), "server-room")).isNull();
		assertThat(this.monitor.check(temperature("server-room", 28.5), "server-room")).isNotNull();
	}

	@Test
	void checkWhenValueWaversAroundThresholdShouldNotRaiseASecondAlert() {
		assertThat(this.monitor.check(temperature("server-room", 28.1), "server-room")).isNotNull();
		assertThat(this.monitor.check(temperature("server-room", 27.6), "server-room")).isNull();
		assertThat(this.monitor.check(temperature("server-room", 28.2), "server-room")).isNull();
	}

	@Test
	void checkShouldTrackEachDeviceAndMetricSeparately() {
		assertThat(this.monitor.check(temperature("a", 29.0), "a")).isNotNull();
		assertThat(this.monitor.check(temperature("b", 29.0), "b")).isNotNull();
		assertThat(this.monitor.check(reading("a", "humidity", 86.0), "a")).isNotNull();
	}

	@Test
	void checkWhenMetricHasNoThresholdShouldNotRaiseAnAlert() {
		assertThat(this.monitor.check(reading("a", "pressure", 5000.0), "a")).isNull();
	}

	private static Reading temperature(String deviceId, double value) {
		return reading(deviceId, "temperature", value);
	}

	private static Reading reading(String deviceId, String metric, double value) {
		return new Reading(deviceId, metric, value, T0);
	}

}
