package io.mqttboot.demo;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.jspecify.annotations.Nullable;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;

import org.springframework.stereotype.Component;

/**
 * The latest reading and a short history per device and metric, as received from the
 * broker. Thread-safe: listener containers call it from several threads.
 *
 * @since 0.1.0
 */
@Component
public class TelemetryStore {

	/**
	 * How many readings each device and metric keeps: one minute at two a second.
	 */
	static final int HISTORY_SIZE = 120;

	private final ConcurrentMap<String, DeviceState> devices = new ConcurrentHashMap<>();

	/**
	 * Record a reading received on {@code sensors/{deviceId}/{metric}}.
	 * @param reading the reading from the message payload
	 * @param deviceId the device identifier from the topic name
	 */
	@MqttListener(id = "readings", topics = "sensors/{deviceId}/+", qos = 1)
	public void onReading(Reading reading, @TopicVariable String deviceId) {
		device(deviceId).record(reading);
	}

	/**
	 * Record a status received on the retained {@code devices/{deviceId}/status}.
	 * @param status the status from the message payload, such as {@code online}
	 * @param deviceId the device identifier from the topic name
	 */
	@MqttListener(id = "statuses", topics = "devices/{deviceId}/status", qos = 1)
	public void onStatus(String status, @TopicVariable String deviceId) {
		device(deviceId).status = status;
	}

	private DeviceState device(String deviceId) {
		return this.devices.computeIfAbsent(deviceId, (id) -> new DeviceState());
	}

	/**
	 * Return a consistent copy of what the store holds, devices sorted by identifier.
	 * @return the snapshot
	 */
	public List<DeviceTelemetry> snapshot() {
		List<DeviceTelemetry> result = new ArrayList<>();
		this.devices.forEach((id, state) -> result.add(state.snapshot(id)));
		result.sort(Comparator.comparing(DeviceTelemetry::deviceId));
		return result;
	}

	/**
	 * What the store knows about one device.
	 *
	 * @param deviceId the device identifier
	 * @param status the last status the device reported, if any
	 * @param metrics the series of each metric, by metric name
	 */
	public record DeviceTelemetry(String deviceId, @Nullable String status, Map<String, MetricSeries> metrics) {

	}

	/**
	 * The readings of one metric of one device.
	 *
	 * @param latest the latest value
	 * @param at when the latest value was measured
	 * @param history up to {@value TelemetryStore#HISTORY_SIZE} values, oldest first
	 */
	public record MetricSeries(double latest, Instant at, List<Point> history) {

	}

	/**
	 * One value in a history.
	 *
	 * @param value the value
	 * @param at when it was measured
	 */
	public record Point(double value, Instant at) {

	}

	private static final class DeviceState {

		private volatile @Nullable String status;

		private final Map<String, ArrayDeque<Point>> series = new LinkedHashMap<>();

		synchronized void record(Reading reading) {
			ArrayDeque<Point> points = this.series.computeIfAbsent(reading.metric(), (metric) -> new ArrayDeque<>());
			if (points.size() == HISTORY_SIZE) {
				points.removeFirst();
			}
			points.addLast(new Point(reading.value(), reading.at()));
		}

		synchronized DeviceTelemetry snapshot(String deviceId) {
			Map<String, MetricSeries> metrics = new LinkedHashMap<>();
			this.series.forEach((metric, points) -> {
				Point latest = points.peekLast();
				if (latest != null) {
					metrics.put(metric, new MetricSeries(latest.value(), latest.at(), List.copyOf(points)));
				}
			});
			return new DeviceTelemetry(deviceId, this.status, metrics);
		}

	}

}
