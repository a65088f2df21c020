import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

/**
 * B7 without the starter: the raw HiveMQ client acknowledging manually after a 1 ms consumer,
 * default receive maximum, fed at full rate. Shows whether the connection survives ~65,000
 * unacknowledged messages from the broker.
 *
 * java -cp benchmarks/target/benchmarks.jar benchmarks/src/main/scripts/RawSlowConsumer.java PORT [RECEIVE_MAXIMUM [SECONDS]]
 */
public class RawSlowConsumer {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int receiveMaximum = (args.length > 1) ? Integer.parseInt(args[1]) : 65_535;
		int seconds = (args.length > 2) ? Integer.parseInt(args[2]) : 15;
		AtomicLong disconnects = new AtomicLong();
		Mqtt5AsyncClient subscriber = MqttClient.builder()
			.useMqttVersion5()
			.identifier("raw-slow-subscriber")
			.serverHost("127.0.0.1")
			.serverPort(port)
			.addDisconnectedListener((context) -> {
				disconnects.incrementAndGet();
				System.err.println("DISCONNECTED: " + context.getCause());
			})
			.buildAsync();
		LinkedBlockingQueue<Mqtt5Publish> queue = new LinkedBlockingQueue<>();
		AtomicLong processed = new AtomicLong();
		subscriber.publishes(MqttGlobalPublishFilter.ALL, queue::add, true);
		subscriber.connectWith().restrictions().receiveMaximum(receiveMaximum).applyRestrictions().send().get();
		subscriber.subscribeWith().topicFilter("raw/slow").qos(MqttQos.AT_LEAST_ONCE).send().get();
		Thread worker = new Thread(() -> {
			try {
				while (true) {
					Mqtt5Publish publish = queue.take();
					Thread.sleep(1);
					publish.acknowledge();
					processed.incrementAndGet();
				}
			}
			catch (InterruptedException ex) {
				// done
			}
		});
		worker.setDaemon(true);
		worker.start();
		Mqtt5AsyncClient publisher = MqttClient.builder()
			.useMqttVersion5()
			.identifier("raw-slow-publisher")
			.serverHost("127.0.0.1")
			.serverPort(port)
			.buildAsync();
		publisher.connect().get();
		long published = 0;
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		while (System.nanoTime() < end) {
			if (published - processed.get() >= 70_000) {
				Thread.sleep(1);
				continue;
			}
			publisher.publishWith().topic("raw/slow").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[64]).send();
			published++;
		}
		System.err.printf("receive maximum %d: published %d, processed %d, queued %d, disconnects %d%n",
				receiveMaximum, published, processed.get(), queue.size(), disconnects.get());
		System.exit(0);
	}

}
