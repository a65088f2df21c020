package io.mqttboot.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.listener.MqttListenerContainer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.messaging.handler.annotation.Payload;

/**
 * The starter as an application uses it: a Spring Boot context with the auto-configured
 * {@link MqttTemplate} and {@code @MqttListener} methods, all defaults (one connection per
 * client id, one listener thread per listener, MQTT 5).
 */
final class StarterContender implements Contender {

	private final int port;

	private final String[] extraProperties;

	private ConfigurableApplicationContext context;

	private MqttTemplate template;

	private Listeners listeners;

	private volatile long lastRequestLeg;

	StarterContender(int port, String... extraProperties) {
		this.port = port;
		this.extraProperties = extraProperties;
	}

	@Override
	public String name() {
		return "starter";
	}

	@Override
	public Sink sink() {
		return this.listeners.sink;
	}

	@Override
	public void start() {
		this.context = new SpringApplicationBuilder(StarterApp.class).web(WebApplicationType.NONE)
			.properties("mqtt.url=tcp://127.0.0.1:" + this.port, "mqtt.client-id=bench-starter",
					"spring.main.banner-mode=off", "logging.level.root=WARN")
			.properties(this.extraProperties)
			.run();
		this.template = this.context.getBean(MqttTemplate.class);
		this.listeners = this.context.getBean(Listeners.class);
	}

	@Override
	public void publish(int count, int qos, byte[] payload) {
		String topic = Contender.topic(name(), qos);
		for (int i = 0; i < count; i++) {
			this.template.newMessage(payload).topic(topic).qos(qos).publishAsync();
		}
	}

	CompletableFuture<Void> publishOnly(String topic, int count, int qos, byte[] payload) {
		CountDown done = new CountDown(count);
		for (int i = 0; i < count; i++) {
			this.template.newMessage(payload).topic(topic).qos(qos).publishAsync()
				.whenComplete((result, ex) -> done.countDown(ex));
		}
		return done.future();
	}

	long roundTrip(byte[] payload) throws Exception {
		CompletableFuture<Long> reply = new CompletableFuture<>();
		this.listeners.pendingReply.set(reply);
		long start = System.nanoTime();
		this.template.newMessage(payload).topic(LatencyBenchmark.requestTopic(name())).qos(1).publishAsync();
		long end = reply.get(10, TimeUnit.SECONDS);
		this.lastRequestLeg = this.listeners.requestReceived - start;
		return end - start;
	}

	/**
	 * Return the first leg of the last round trip: publish until the request listener ran.
	 */
	long lastRequestLeg() {
		return this.lastRequestLeg;
	}

	/**
	 * Return the listener container statistics, to show dropped QoS 0 messages.
	 */
	String containerStats(String id) {
		MqttListenerContainer container = this.context.getBean(MqttListenerEndpointRegistry.class)
			.getListenerContainer(id);
		return (container == null) ? "n/a"
				: "processed=" + container.getProcessed() + " dropped=" + container.getDropped() + " maxQueued="
						+ container.getMaxQueued();
	}

	long dropped(String id) {
		if (this.context == null) {
			return 0;
		}
		MqttListenerContainer container = this.context.getBean(MqttListenerEndpointRegistry.class)
			.getListenerContainer(id);
		return (container != null) ? container.getDropped() : 0;
	}

	@Override
	public void close() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class StarterApp {

		@Bean
		Listeners benchListeners(@Lazy MqttTemplate template) {
			return new Listeners(template);
		}

	}

	/**
	 * No-op listeners (they only count) and the responder of the request-reply loop.
	 */
	static class Listeners {

		final Sink sink = new Sink();

		final AtomicReference<CompletableFuture<Long>> pendingReply = new AtomicReference<>();

		volatile long requestReceived;

		private final MqttTemplate template;

		Listeners(MqttTemplate template) {
			this.template = template;
		}

		@MqttListener(id = "q0", topics = "bench/starter/q0", qos = 0)
		void onQos0(@Payload byte[] payload) {
			this.sink.accept(payload[0]);
		}

		@MqttListener(id = "q1", topics = "bench/starter/q1", qos = 1)
		void onQos1(@Payload byte[] payload) {
			this.sink.accept(payload[0]);
		}

		@MqttListener(id = "request", topics = "bench/starter/rt/request", qos = 1)
		void onRequest(@Payload byte[] payload) {
			this.requestReceived = System.nanoTime();
			this.template.newMessage(payload).topic("bench/starter/rt/reply").qos(1).publishAsync();
		}

		@MqttListener(id = "reply", topics = "bench/starter/rt/reply", qos = 1)
		void onReply(@Payload byte[] payload) {
			CompletableFuture<Long> reply = this.pendingReply.getAndSet(null);
			if (reply != null) {
				reply.complete(System.nanoTime());
			}
		}

	}

}
