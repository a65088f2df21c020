package io.mqttboot.demo;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.core.MqttOperations;

import org.springframework.stereotype.Component;

/**
 * Watches the readings on {@code sensors/{deviceId}/+} and publishes an {@link Alert} to
 * {@code alerts/{deviceId}} at QoS 2 when a value rises above its threshold. It alerts
 * once per crossing: a device and metric is armed again only after a reading at least
 * the hysteresis below the threshold, so a value that wavers around it does not raise an
 * alert with every reading.
 * <p>
 * The dashboard does not learn about alerts from this class: {@link AlertStore} receives
 * them from the broker, so an alert on the page has made the whole round trip.
 *
 * @since 0.1.0
 */
@Component
public class ThresholdMonitor {

	/**
	 * Upper limit per metric: 28 °C and 85 % relative humidity.
	 */
	static final Map<String, Double> THRESHOLDS = Map.of("temperature", 28.0, "humidity", 85.0);

	/**
	 * How far below the threshold a value must fall before the next crossing alerts again.
	 */
	static final Map<String, Double> HYSTERESIS = Map.of("temperature", 0.5, "humidity", 2.0);

	private static final Log logger = LogFactory.getLog(ThresholdMonitor.class);

	private final MqttOperations mqtt;

	/**
	 * Device and metric ({@code deviceId/metric}) that raised an alert and is not armed again.
	 */
	private final Set<String> alerted = ConcurrentHashMap.newKeySet();

	private final AtomicLong published = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	ThresholdMonitor(MqttOperations mqtt) {
		this.mqtt = mqtt;
	}

	/**
	 * Check a reading received on {@code sensors/{deviceId}/+} and publish an alert when
	 * it crossed its threshold.
	 * @param reading the reading from the message payload
	 * @param deviceId the device identifier from the topic name
	 */
	@MqttListener(id = "thresholds", topics = "sensors/{deviceId}/+", qos = 1)
	public void onReading(Reading reading, @TopicVariable String deviceId) {
		Alert alert = check(reading, deviceId);
		if (alert == null) {
			return;
		}
		String topic = "alerts/" + deviceId;
		this.mqtt.newMessage(alert).topic(topic).qos(2).publishAsync().whenComplete((result, ex) -> {
			if (ex == null) {
				this.published.incrementAndGet();
			}
			else {
				this.failed.incrementAndGet();
				logger.warn("Alert for " + deviceId + " " + alert.metric() + " " + alert.value()
						+ " not published to '" + topic + "': " + ex.getMessage());
			}
		});
	}

	/**
	 * Return the alert to raise for a reading: one when the value is above the threshold
	 * of its metric and that device and metric is armed (no alert yet, or a value at least
	 * the hysteresis below the threshold since the last one).
	 * @param reading the reading
	 * @param deviceId the device identifier from the topic name
	 * @return the alert, or {@code null} for a metric without a threshold, a value at or
	 * below it, or a value above it that is not a new crossing
	 */
	@Nullable Alert check(Reading reading, String deviceId) {
		Double threshold = THRESHOLDS.get(reading.metric());
		if (threshold == null) {
			return null;
		}
		String key = deviceId + "/" + reading.metric();
		if (reading.value() > threshold) {
			return this.alerted.add(key)
					? new Alert(deviceId, reading.metric(), reading.value(), threshold, reading.at()) : null;
		}
		if (reading.value() <= threshold - HYSTERESIS.get(reading.metric())) {
			this.alerted.remove(key);
		}
		return null;
	}

	/**
	 * Return how many alerts the broker acknowledged and how many could not be published.
	 * @return the statistics
	 */
	public Stats getStats() {
		return new Stats(THRESHOLDS, this.published.get(), this.failed.get());
	}

	/**
	 * What the monitor watches and has done so far.
	 *
	 * @param thresholds the upper limit per metric
	 * @param published alerts the broker acknowledged (PUBCOMP)
	 * @param failed alerts that could not be published; each is logged
	 */
	public record Stats(Map<String, Double> thresholds, long published, long failed) {

	}

}
