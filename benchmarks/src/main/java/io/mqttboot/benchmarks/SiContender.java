package io.mqttboot.benchmarks;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.mqtt.core.DefaultMqttPahoClientFactory;
import org.springframework.integration.mqtt.event.MqttMessageDeliveredEvent;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.MqttPahoMessageHandler;
import org.springframework.integration.mqtt.support.DefaultPahoMessageConverter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.MessageBuilder;

/**
 * spring-integration-mqtt with its Paho (MQTT 3.1.1) adapters, as its reference guide wires
 * them: a {@link MqttPahoMessageDrivenChannelAdapter} into a {@link DirectChannel} with a no-op
 * handler, and an async {@link MqttPahoMessageHandler}. Paho's client-side in-flight window is
 * set to 100 ({@code setMaxInflight(100)}); because Paho throws "Too many publishes in
 * progress" instead of queueing, the publisher waits for a window slot (released by the
 * handler's delivery events) at QoS 1 and retries a refused QoS 0 publish; the retries are
 * counted and reported.
 */
final class SiContender implements Contender {

	static final int MAX_INFLIGHT = 100;

	private final int port;

	private AnnotationConfigApplicationContext context;

	private SiConfig config;

	SiContender(int port) {
		this.port = port;
	}

	@Override
	public String name() {
		return "si";
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
			if (cause instanceof MqttException mqtt && mqtt.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
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

		MqttPahoMessageHandler outbound;

		@Bean
		DefaultMqttPahoClientFactory benchPahoClientFactory(Environment environment) {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setServerURIs(new String[] { "tcp://127.0.0.1:" + environment.getProperty("bench.port") });
			options.setCleanSession(true);
			options.setMaxInflight(MAX_INFLIGHT);
			options.setAutomaticReconnect(false);
			DefaultMqttPahoClientFactory factory = new DefaultMqttPahoClientFactory();
			factory.setConnectionOptions(options);
			return factory;
		}

		@Bean
		DirectChannel benchInput() {
			DirectChannel channel = new DirectChannel();
			channel.subscribe((message) -> this.sink.accept(((byte[]) message.getPayload())[0]));
			return channel;
		}

		@Bean
		MqttPahoMessageDrivenChannelAdapter benchInbound(DefaultMqttPahoClientFactory factory, DirectChannel benchInput) {
			MqttPahoMessageDrivenChannelAdapter adapter = new MqttPahoMessageDrivenChannelAdapter("bench-si-sub",
					factory, Contender.topic("si", 0), Contender.topic("si", 1));
			adapter.setQos(0, 1);
			DefaultPahoMessageConverter converter = new DefaultPahoMessageConverter();
			converter.setPayloadAsBytes(true);
			adapter.setConverter(converter);
			adapter.setOutputChannel(benchInput);
			adapter.setCompletionTimeout(10_000);
			return adapter;
		}

		@Bean
		MqttPahoMessageHandler benchOutbound(DefaultMqttPahoClientFactory factory) {
			MqttPahoMessageHandler handler = new MqttPahoMessageHandler("bench-si-pub", factory);
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
