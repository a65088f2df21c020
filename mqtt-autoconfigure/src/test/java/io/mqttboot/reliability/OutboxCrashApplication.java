package io.mqttboot.reliability;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application that {@link OutboxCrashIntegrationTests} runs in a JVM of its own and
 * kills: a Spring Boot application with {@code mqtt.outbox.store=file}.
 * <p>
 * Arguments: the broker URL, the outbox directory, then {@code publish <count>} (publish
 * QoS 1 messages {@code m0..m<count-1>} to {@code outbox/crash}, print
 * {@code ACCEPTED <count>} once every future was handed back, then wait to be killed) or
 * {@code drain} (start, wait until the outbox is empty and nothing is in flight, print
 * {@code DRAINED}, stop normally) or {@code stream} (publish {@code m0, m1, ...} without end,
 * printing {@code ACCEPTED UP TO <i>} after every 50th returned future, until killed). For comparing the publish cost by hand, the system
 * properties {@code outbox.store=memory} and {@code outbox.threads=<n>} (publishers in
 * parallel, which share fsyncs) and {@code outbox.connected=true} (publish once connected)
 * change the run; against a running broker it waits for
 * every PUBACK and exits.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({ MqttAutoConfiguration.class, JacksonAutoConfiguration.class })
public class OutboxCrashApplication {

	static final String TOPIC = "outbox/crash";

	public static void main(String[] args) throws Exception {
		String store = System.getProperty("outbox.store", "file");
		int threads = Integer.getInteger("outbox.threads", 1);
		SpringApplication application = new SpringApplication(OutboxCrashApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		ConfigurableApplicationContext context = application.run("--mqtt.url=" + args[0],
				"--mqtt.client-id=outbox-crash-app", "--mqtt.outbox.store=" + store,
				"--mqtt.outbox.directory=" + args[1], "--mqtt.reconnect.initial-delay=100ms",
				"--mqtt.reconnect.max-delay=500ms", "--mqtt.publish.timeout=60s", "--spring.docker.compose.enabled=false",
				"--logging.level.root=WARN", "--logging.level.io.mqttboot=INFO", "--spring.main.banner-mode=off");
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		if (args[2].equals("publish")) {
			int count = Integer.parseInt(args[3]);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			while (Boolean.getBoolean("outbox.connected") && !manager.isConnected()) {
				Thread.sleep(20);
			}
			List<CompletableFuture<MqttPublishResult>> futures = new CopyOnWriteArrayList<>();
			long start = System.nanoTime();
			ExecutorService publishers = Executors.newFixedThreadPool(threads);
			for (int t = 0; t < threads; t++) {
				int first = t;
				publishers.execute(() -> {
					for (int i = first; i < count; i += threads) {
						futures.add(template.newMessage("m" + i).topic(TOPIC).qos(1).publishAsync());
					}
				});
			}
			publishers.shutdown();
			publishers.awaitTermination(10, TimeUnit.MINUTES);
			long micros = Duration.ofNanos(System.nanoTime() - start).toNanos() / 1000;
			long failed = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
			System.out.println("ACCEPTED " + (count - failed) + " in " + micros + " us (" + (micros / count)
					+ " us per publish, store " + store + ", " + threads + " thread(s), connected "
					+ manager.isConnected() + ")");
			if (manager.isConnected()) {
				CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
				System.out.println("ACKNOWLEDGED " + count + " in "
						+ Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
				context.close();
				return;
			}
			new CountDownLatch(1).await();
		}
		else if (args[2].equals("stream")) {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			for (int i = 0; true; i++) {
				template.newMessage("m" + i).topic(TOPIC).qos(1).publishAsync();
				if (i % 50 == 49) {
					System.out.println("ACCEPTED UP TO " + i);
				}
			}
		}
		else {
			while (manager.getOutboxSize() > 0 || !manager.isConnected()
					|| manager.getInFlight().getOutgoingQos1() > 0) {
				Thread.sleep(20);
			}
			System.out.println("DRAINED");
			context.close();
		}
	}

}
