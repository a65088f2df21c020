package io.mqttboot.demo;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttOperations;
import io.mqttboot.core.MqttPublishResult;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Simulates six devices that publish a temperature and a humidity reading every 500 ms
 * to {@code sensors/{deviceId}/{metric}} (QoS 1) and announce themselves with a retained
 * {@code devices/{deviceId}/status} message. One device, the garage, drops off now and
 * then: it publishes {@code offline}, stays silent for a few seconds and comes back.
 * <p>
 * The simulator only publishes. What the dashboard shows is what arrives at
 * {@link TelemetryStore} through the broker.
 *
 * @since 0.1.0
 */
@Component
public class SensorSimulator {

	/**
	 * The device that goes offline from time to time.
	 */
	static final String FLAKY_DEVICE = "garage";

	private static final Log logger = LogFactory.getLog(SensorSimulator.class);

	private static final List<Device> DEVICES = List.of(new Device("greenhouse", 24.0, 70.0),
			new Device("living-room", 21.0, 45.0), new Device("bedroom", 19.5, 50.0),
			new Device("cellar", 12.0, 80.0), new Device("server-room", 27.0, 30.0),
			new Device(FLAKY_DEVICE, 9.0, 65.0));

	private static final Map<String, Double> LIMITS = Map.of("temperature", 4.0, "humidity", 12.0);

	private final MqttOperations mqtt;

	private final Random random = new Random();

	private final AtomicLong published = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private long tick;

	private boolean announced;

	private long flakyToggleTick = nextOnlinePeriod();

	private volatile boolean flakyOnline = true;

	private volatile @Nullable String lastFailure;

	SensorSimulator(MqttOperations mqtt) {
		this.mqtt = mqtt;
	}

	/**
	 * Publish one reading of each metric for every online device.
	 */
	@Scheduled(fixedRate = 500)
	void publishReadings() {
		if (!this.announced) {
			DEVICES.forEach((device) -> publishStatus(device.id, "online"));
			this.announced = true;
		}
		this.tick++;
		if (this.tick >= this.flakyToggleTick) {
			this.flakyOnline = !this.flakyOnline;
			this.flakyToggleTick = this.tick + (this.flakyOnline ? nextOnlinePeriod() : 10 + this.random.nextInt(11));
			publishStatus(FLAKY_DEVICE, this.flakyOnline ? "online" : "offline");
		}
		Instant now = Instant.now();
		for (Device device : DEVICES) {
			if (device.id.equals(FLAKY_DEVICE) && !this.flakyOnline) {
				continue;
			}
			publishReading(new Reading(device.id, "temperature", device.next("temperature", this.random), now));
			publishReading(new Reading(device.id, "humidity", device.next("humidity", this.random), now));
		}
	}

	private long nextOnlinePeriod() {
		// 20 to 40 seconds at two ticks a second
		return 40 + this.random.nextInt(41);
	}

	private void publishReading(Reading reading) {
		track(this.mqtt.newMessage(reading)
			.topic("sensors/" + reading.deviceId() + "/" + reading.metric())
			.qos(1)
			.publishAsync());
	}

	private void publishStatus(String deviceId, String status) {
		track(this.mqtt.newMessage(status).topic("devices/" + deviceId + "/status").qos(1).retain(true).publishAsync());
	}

	private void track(CompletableFuture<MqttPublishResult> future) {
		future.whenComplete((result, ex) -> {
			if (ex == null) {
				this.published.incrementAndGet();
				return;
			}
			String message = ex.getMessage();
			if (this.failed.getAndIncrement() % 100 == 0) {
				// Every 100th failure: a stopped broker fails thousands of publishes.
				logger.warn("Simulated reading not published: " + message);
			}
			this.lastFailure = message;
		});
	}

	/**
	 * Return how the simulator is doing, for the dashboard.
	 * @return the statistics
	 */
	public Stats getStats() {
		return new Stats(DEVICES.stream().map((device) -> device.id).toList(), this.published.get(), this.failed.get(),
				this.flakyOnline ? null : FLAKY_DEVICE, this.lastFailure);
	}

	/**
	 * What the simulator has done so far.
	 *
	 * @param devices the simulated device identifiers
	 * @param published messages the broker acknowledged
	 * @param failed messages that could not be published
	 * @param offlineDevice the device that is offline right now, if any
	 * @param lastFailure why the last failed message failed, if any did
	 */
	public record Stats(List<String> devices, long published, long failed, @Nullable String offlineDevice,
			@Nullable String lastFailure) {

	}

	private static final class Device {

		private final String id;

		private final Map<String, Double> baseline;

		private final Map<String, double[]> current;

		Device(String id, double temperature, double humidity) {
			this.id = id;
			this.baseline = Map.of("temperature", temperature, "humidity", humidity);
			this.current = Map.of("temperature", new double[] { temperature }, "humidity", new double[] { humidity });
		}

		/**
		 * A random walk that is pulled back to the baseline and stays within its limit.
		 */
		double next(String metric, Random random) {
			double base = this.baseline.get(metric);
			double limit = LIMITS.get(metric);
			double[] value = this.current.get(metric);
			double step = random.nextGaussian() * limit * 0.05 + (base - value[0]) * 0.05;
			value[0] = Math.max(base - limit, Math.min(base + limit, value[0] + step));
			return Math.round(value[0] * 10) / 10.0;
		}

	}

}
