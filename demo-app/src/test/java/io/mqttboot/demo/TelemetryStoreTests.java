package io.mqttboot.demo;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mqttboot.demo.TelemetryStore.DeviceTelemetry;
import io.mqttboot.demo.TelemetryStore.MetricSeries;
import io.mqttboot.demo.TelemetryStore.Point;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TelemetryStore}.
 */
class TelemetryStoreTests {

	private static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");

	private final TelemetryStore store = new TelemetryStore();

	@Test
	void snapshotWhenNothingReceivedShouldBeEmpty() {
		assertThat(this.store.snapshot()).isEmpty();
	}

	@Test
	void snapshotShouldHoldLatestReadingPerMetricAndDevicesInOrder() {
		this.store.onReading(new Reading("cellar", "temperature", 12.1, T0), "cellar");
		this.store.onReading(new Reading("attic", "humidity", 40.0, T0), "attic");
		this.store.onReading(new Reading("cellar", "temperature", 12.3, T0.plusSeconds(1)), "cellar");
		this.store.onStatus("online", "cellar");
		List<DeviceTelemetry> devices = this.store.snapshot();
		assertThat(devices).extracting(DeviceTelemetry::deviceId).containsExactly("attic", "cellar");
		DeviceTelemetry cellar = devices.get(1);
		assertThat(cellar.status()).isEqualTo("online");
		MetricSeries temperature = cellar.metrics().get("temperature");
		assertThat(temperature.latest()).isEqualTo(12.3);
		assertThat(temperature.at()).isEqualTo(T0.plusSeconds(1));
		assertThat(temperature.history()).extracting(Point::value).containsExactly(12.1, 12.3);
		assertThat(devices.get(0).status()).isNull();
	}

	@Test
	void historyShouldKeepOnlyTheNewestReadings() {
		for (int i = 0; i < TelemetryStore.HISTORY_SIZE + 5; i++) {
			this.store.onReading(new Reading("cellar", "humidity", i, T0.plusSeconds(i)), "cellar");
		}
		List<Point> history = this.store.snapshot().get(0).metrics().get("humidity").history();
		assertThat(history).hasSize(TelemetryStore.HISTORY_SIZE);
		assertThat(history.get(0).value()).isEqualTo(5);
		assertThat(history.get(history.size() - 1).value()).isEqualTo(TelemetryStore.HISTORY_SIZE + 4);
	}

	@Test
	void deviceIdShouldComeFromTheTopicNotThePayload() {
		this.store.onReading(new Reading("spoofed", "temperature", 20.0, T0), "greenhouse");
		assertThat(this.store.snapshot()).extracting(DeviceTelemetry::deviceId).containsExactly("greenhouse");
	}

}
