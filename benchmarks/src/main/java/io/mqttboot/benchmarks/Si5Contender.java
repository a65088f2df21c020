package io.mqttboot.benchmarks;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.mqtt.event.MqttMessageDeliveredEvent;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.MessageBuilder;

/**
 * spring-integration-mqtt with its MQTT 5 adapters (Paho MQTT 5 client), wired like
 * {@link SiContender}: a {@link Mqttv5PahoMessageDrivenChannelAdapter} into a
 * {@link DirectChannel} with a no-op handler, and an async {@link Mqttv5PahoMessageHandler}, both
 * with memory persistence. The publisher keeps to the same window of 100 unacknowledged QoS 1
 * publishes (released by the handler's delivery events) and retries a publish Paho refuses with
 * "Too many publishes in progress"; the retries are counted ({@code refusedPublishes}).
 */
final class Si5Contender implements Contender {

	static final int MAX_INFLIGHT = SiContender.MAX_INFLIGHT;

	private final int port;

	private AnnotationConfigApplicationContext context;

	private SiConfig config;

	Si5Contender(int port) {
		this.port = port;
	}

	@Override
	public String name() {
		return "si5";
	}

	@Override
	public Sink sink() {
		return this.config.sink;
	}

	long refusedPublishes() {
		return (this.config != null) ? this.config.refused.get() : 0;
	}

	@Override
	public void start() throws Exception {
		this.context = new AnnotationConfigApplicationContext();
		this.context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("bench", Map.of("bench.port", this.port)));
		this.context.register(SiConfig.class);
		this.context.refresh();
		this.config = this.context.getBean(SiConfig.class);
		this.config.outbound.start();
	}

	@Override
	public void publish(int count, int qos, byte[] payload) throws Exception {
		Message<byte[]> message = MessageBuilder.withPayload(payload)
			.setHeader(org.springframework.integration.mqtt.support.MqttHeaders.TOPIC, Contender.topic(name(), qos))
			.setHeader(org.springframework.integration.mqtt.support.MqttHeaders.QOS, qos)
			.build();
		for (int i = 0; i < count; i++) {
			if (qos > 0) {
				if (!this.config.window.tryAcquire(30, TimeUnit.SECONDS)) {
					throw new IllegalStateException("si: no PUBACK for 30 s");
				}
			}
			while (true) {
				try {
					this.config.outbound.handleMessage(message);
					break;
				}
				catch (MessagingException ex) {
					if (!isMaxInflight(ex)) {
						throw ex;
					}
					this.config.refused.incrementAndGet();
					Thread.onSpinWait();
				}
			}
		}
	}

	private static boolean isMaxInflight(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof MqttException mqtt
					&& mqtt.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void close() {
		if (this.context != null) {
			this.config.outbound.stop();
			this.context.close();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableIntegration
	static class SiConfig {

		final Sink sink = new Sink();

		final Semaphore window = new Semaphore(MAX_INFLIGHT);

		final AtomicLong refused = new AtomicLong();

		Mqttv5PahoMessageHandler outbound;

		private static MqttConnectionOptions options(Environment environment) {
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setServerURIs(new String[] { "tcp://127.0.0.1:" + environment.getProperty("bench.port") });
			options.setCleanStart(true);
			options.setAutomaticReconnect(false);
			return options;
		}

		@Bean
		DirectChannel benchInput() {
			DirectChannel channel = new DirectChannel();
			channel.subscribe((message) -> this.sink.accept(((byte[]) message.getPayload())[0]));
			return channel;
		}

		@Bean
		Mqttv5PahoMessageDrivenChannelAdapter benchInbound(Environment environment, DirectChannel benchInput) {
			Mqttv5PahoMessageDrivenChannelAdapter adapter = new Mqttv5PahoMessageDrivenChannelAdapter(
					options(environment), "bench-si5-sub", Contender.topic("si5", 0), Contender.topic("si5", 1));
			adapter.setQos(0, 1);
			adapter.setPersistence(new MemoryPersistence());
			adapter.setPayloadType(byte[].class);
			adapter.setOutputChannel(benchInput);
			adapter.setCompletionTimeout(10_000);
			return adapter;
		}

		@Bean
		Mqttv5PahoMessageHandler benchOutbound(Environment environment) {
			Mqttv5PahoMessageHandler handler = new Mqttv5PahoMessageHandler(options(environment), "bench-si5-pub");
			handler.setPersistence(new MemoryPersistence());
			handler.setAsync(true);
			handler.setAsyncEvents(true);
			handler.setCompletionTimeout(10_000);
			this.outbound = handler;
			return handler;
		}

		@EventListener
		void onDelivered(MqttMessageDeliveredEvent event) {
			// Paho numbers QoS 1/2 messages only: QoS 0 deliveries carry id 0 and hold no slot.
			if (event.getMessageId() != 0) {
				this.window.release();
			}
		}

	}

}
