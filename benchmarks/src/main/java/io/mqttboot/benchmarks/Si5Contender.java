package io.mqttboot.benchmarks;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;

/**
 * spring-integration-mqtt with its MQTT 5 adapters (Paho MQTT 5 client), wired like
 * {@link SiContender}: a {@link Mqttv5PahoMessageDrivenChannelAdapter} into a
 * {@link DirectChannel} with a no-op handler, and an async {@link Mqttv5PahoMessageHandler}, both
 * with memory persistence. The publisher keeps to the same window of 100 unacknowledged QoS 1
 * publishes (released by the handler's delivery events) and retries a publish Paho refuses with
 * "Too many publishes in progress" or, at QoS 0, "no new message IDs"; the retries are counted ({@code refusedPublishes}).
 */
final class Si5Contender extends AbstractSiContender {

	Si5Contender(int port) {
		super(port);
	}

	@Override
	public String name() {
		return "si5";
	}

	@Override
	protected Class<SiConfig> configClass() {
		return SiConfig.class;
	}

	@Override
	protected boolean isMaxInflightCause(Throwable cause) {
		// Paho MQTT 5 1.2.5 also numbers QoS 0 publishes: once 65,535 of them wait in its
		// outgoing queue it refuses the next with "no new message IDs" (32001), not "too many
		// publishes in progress"; both are a refusal to retry and count.
		return cause instanceof MqttException mqtt
				&& (mqtt.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT
						|| mqtt.getReasonCode() == MqttClientException.REASON_CODE_NO_MESSAGE_IDS_AVAILABLE);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableIntegration
	static class SiConfig extends SiConfigBase {

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

	}

}
