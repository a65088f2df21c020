package io.mqttboot.demo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;

import org.springframework.stereotype.Component;

/**
 * The last alerts received from the broker on {@code alerts/+}, newest first.
 * Thread-safe.
 *
 * @since 0.1.0
 */
@Component
public class AlertStore {

	/**
	 * How many alerts the store keeps.
	 */
	static final int SIZE = 10;

	private final Deque<Alert> alerts = new ArrayDeque<>();

	/**
	 * Record an alert received on {@code alerts/{deviceId}}.
	 * @param alert the alert from the message payload
	 * @param deviceId the device identifier from the topic name
	 */
	@MqttListener(id = "alerts", topics = "alerts/{deviceId}", qos = 2)
	public void onAlert(Alert alert, @TopicVariable String deviceId) {
		Alert received = new Alert(deviceId, alert.metric(), alert.value(), alert.threshold(), alert.at());
		synchronized (this.alerts) {
			if (this.alerts.size() == SIZE) {
				this.alerts.removeLast();
			}
			this.alerts.addFirst(received);
		}
	}

	/**
	 * Return the last alerts, newest first.
	 * @return up to {@value #SIZE} alerts
	 */
	public List<Alert> last() {
		synchronized (this.alerts) {
			return new ArrayList<>(this.alerts);
		}
	}

}
