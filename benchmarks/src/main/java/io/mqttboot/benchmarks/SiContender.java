package io.mqttboot.benchmarks;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.mqtt.core.DefaultMqttPahoClientFactory;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.MqttPahoMessageHandler;
import org.springframework.integration.mqtt.support.DefaultPahoMessageConverter;
import org.springframework.messaging.MessageChannel;

/**
 * spring-integration-mqtt with its Paho (MQTT 3.1.1) adapters, as its reference guide wires
 * them: a {@link MqttPahoMessageDrivenChannelAdapter} into a {@link DirectChannel} with a no-op
 * handler, and an async {@link MqttPahoMessageHandler}. Paho's client-side in-flight window is
 * set to 100 ({@code setMaxInflight(100)}); because Paho throws "Too many publishes in
 * progress" instead of queueing, the publisher waits for a window slot (released by the
 * handler's delivery events) at QoS 1 and retries a refused QoS 0 publish; the retries are
 * counted and reported.
 */
final class SiContender extends AbstractSiContender {

	SiContender(int port) {
		super(port);
	}

	@Override
	public String name() {
		return "si";
	}

	@Override
	protected Class<SiConfig> configClass() {
		return SiConfig.class;
	}

	@Override
	protected boolean isMaxInflightCause(Throwable cause) {
		return cause instanceof MqttException mqtt && mqtt.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT;
	}

	/**
	 * A Paho 3.1.1 client factory for the broker on {@code bench.port}: clean session, no
	 * automatic reconnect, the given in-flight window (B1/B2 and B9's si contender).
	 */
	/**
	 * Set up an inbound adapter as every si contender uses it: payloads as {@code byte[]},
	 * a 10 s completion timeout, messages to the given channel.
	 */
	static void receiveBytes(MqttPahoMessageDrivenChannelAdapter adapter, MessageChannel output) {
		DefaultPahoMessageConverter converter = new DefaultPahoMessageConverter();
		converter.setPayloadAsBytes(true);
		adapter.setConverter(converter);
		adapter.setOutputChannel(output);
		adapter.setCompletionTimeout(10_000);
	}

	static DefaultMqttPahoClientFactory pahoClientFactory(Environment environment, int maxInflight) {
		MqttConnectOptions options = new MqttConnectOptions();
		options.setServerURIs(new String[] { "tcp://127.0.0.1:" + environment.getProperty("bench.port") });
		options.setCleanSession(true);
		options.setMaxInflight(maxInflight);
		options.setAutomaticReconnect(false);
		DefaultMqttPahoClientFactory factory = new DefaultMqttPahoClientFactory();
		factory.setConnectionOptions(options);
		return factory;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableIntegration
	static class SiConfig extends SiConfigBase {

		@Bean
		DefaultMqttPahoClientFactory benchPahoClientFactory(Environment environment) {
			return pahoClientFactory(environment, MAX_INFLIGHT);
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
			receiveBytes(adapter, benchInput);
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

	}

}
