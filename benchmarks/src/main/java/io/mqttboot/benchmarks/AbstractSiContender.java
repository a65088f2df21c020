package io.mqttboot.benchmarks;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.MapPropertySource;
import org.springframework.integration.mqtt.event.MqttMessageDeliveredEvent;
import org.springframework.integration.mqtt.outbound.AbstractMqttMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.MessageBuilder;

/**
 * What {@link SiContender} (Paho MQTT 3.1.1) and {@link Si5Contender} (Paho MQTT 5) share: the
 * application context around their adapters, and a publisher that keeps to a window of
 * {@link #MAX_INFLIGHT} unacknowledged QoS 1 publishes (released by the handler's delivery
 * events) and retries a publish Paho refuses with "Too many publishes in progress", counting the
 * retries. Subclasses name the configuration that creates the adapter and handler, and recognise
 * Paho's refusal.
 *
 * @since 0.1.0
 */
abstract class AbstractSiContender implements Contender {

	static final int MAX_INFLIGHT = 100;

	private final int port;

	private AnnotationConfigApplicationContext context;

	private SiConfigBase config;

	AbstractSiContender(int port) {
		this.port = port;
	}

	/**
	 * The {@code @Configuration} class that creates the inbound adapter and the outbound handler.
	 * @return the configuration class
	 */
	protected abstract Class<? extends SiConfigBase> configClass();

	/**
	 * Whether the given exception is Paho's "Too many publishes in progress" refusal.
	 * @param ex one exception of the cause chain
	 * @return {@code true} for the refusal
	 */
	protected abstract boolean isMaxInflightCause(Throwable ex);

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
		this.context.register(configClass());
		this.context.refresh();
		this.config = this.context.getBean(configClass());
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

	private boolean isMaxInflight(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (isMaxInflightCause(cause)) {
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

	/**
	 * The state both configurations share: the sink the inbound channel feeds, the publish
	 * window, the count of refused publishes, and the outbound handler (which the subclass's
	 * {@code @Bean} method stores here).
	 */
	abstract static class SiConfigBase {

		final Sink sink = new Sink();

		final Semaphore window = new Semaphore(MAX_INFLIGHT);

		final AtomicLong refused = new AtomicLong();

		AbstractMqttMessageHandler<?, ?> outbound;

		@EventListener
		void onDelivered(MqttMessageDeliveredEvent event) {
			// Paho numbers QoS 1/2 messages only: QoS 0 deliveries carry id 0 and hold no slot.
			if (event.getMessageId() != 0) {
				this.window.release();
			}
		}

	}

}
