package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.support.MqttHeaders;
import io.mqttboot.test.MqttBrokerExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Argument resolution beyond the basics: {@code @Valid} payloads with a validator, custom
 * argument resolvers, and the MQTT 5 request/response headers.
 */
class MqttListenerArgumentsIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class,
				ValidationAutoConfiguration.class))
		.withPropertyValues("mqtt.listener.retry.initial-interval=10ms");

	@Test
	void invalidPayloadShouldGoToTheErrorHandlerOnceAndTheNextValidOneShouldBeProcessed() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(ValidatingListener.class)
			.run((context) -> {
				awaitGranted(context.getBean(MqttClientManager.class));
				MqttTemplate template = context.getBean(MqttTemplate.class);
				template.publish("valid/a", new Command("", 500));
				template.publish("valid/a", new Command("open", 7));
				ValidatingListener listener = context.getBean(ValidatingListener.class);
				await().untilAsserted(() -> assertThat(listener.accepted).containsExactly("open"));
				assertThat(listener.invocations).hasSize(1);
				MqttListenerContainer container = context
					.getBean(io.mqttboot.config.MqttListenerEndpointRegistry.class)
					.getListenerContainer("validating");
				assertThat(container.getFailed()).isEqualTo(1);
				assertThat(container.getProcessed()).isEqualTo(1);
			});
	}

	@Test
	void customArgumentResolverBeanShouldBeUsed() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(CustomResolverConfiguration.class)
			.run((context) -> {
				awaitGranted(context.getBean(MqttClientManager.class));
				context.getBean(MqttTemplate.class).publish("custom/levels/three", "x");
				CustomResolverConfiguration listener = context.getBean(CustomResolverConfiguration.class);
				await().untilAsserted(() -> assertThat(listener.received).containsExactly("3:x"));
			});
	}

	@Test
	void requestResponseHeadersShouldBeResolvedAndTheReplyShouldArrive() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(Responder.class)
			.run((context) -> {
				awaitGranted(context.getBean(MqttClientManager.class));
				MqttTemplate template = context.getBean(MqttTemplate.class);
				template.newMessage(new Command("status", 1))
					.topic("requests/status")
					.responseTopic("replies/status")
					.correlationData("corr-42".getBytes(StandardCharsets.UTF_8))
					.messageExpiry(Duration.ofMinutes(1))
					.userProperty("tenant", "acme")
					.publish();
				Responder responder = context.getBean(Responder.class);
				await().untilAsserted(() -> assertThat(responder.replies)
					.containsExactly("reply to status|corr-42|application/json|tenant=acme|correlation=corr-42"));
				assertThat(responder.expiries).singleElement()
					.satisfies((expiry) -> assertThat(expiry).isBetween(1L, 60L));
			});
	}

	@Test
	void subscriptionOptionsAndRepeatedAnnotationsShouldBeApplied() {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish("options/retained", "kept", 1, true);
			this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
				.withUserConfiguration(OptionsListener.class)
				.run((context) -> {
					awaitGranted(context.getBean(MqttClientManager.class));
					OptionsListener listener = context.getBean(OptionsListener.class);
					context.getBean(MqttTemplate.class).publish("options/local", "own");
					raw.publish("options/local", "foreign", 1, false);
					raw.publish("options/second", "repeated", 1, false);
					raw.publish("options/retained", "marker", 1, false);
					// Each listener's messages arrive in order: once the later one is there, an
					// earlier unwanted one would be too.
					await().untilAsserted(() -> assertThat(listener.received).contains("noLocal:foreign",
							"retained:marker", "repeated:repeated"));
					// noLocal: the client's own message is not delivered back [MQTT-3.8.3-3];
					// retainHandling = 2: no retained message on subscribe.
					assertThat(listener.received).containsExactlyInAnyOrder("noLocal:foreign", "retained:marker",
							"repeated:repeated");
				});
			raw.publish("options/retained", "", 1, true);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OptionsListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(topics = "options/local", noLocal = true)
		void noLocal(String payload) {
			this.received.add("noLocal:" + payload);
		}

		@MqttListener(topics = "options/retained", retainHandling = 2)
		void retained(String payload) {
			this.received.add("retained:" + payload);
		}

		@MqttListener(id = "first", topics = "options/first")
		@MqttListener(id = "second", topics = "options/second")
		void repeated(String payload) {
			this.received.add("repeated:" + payload);
		}

	}

	record Command(@NotBlank String action, @Max(100) int valve) {
	}

	@Configuration(proxyBeanMethods = false)
	static class ValidatingListener {

		final List<String> accepted = new CopyOnWriteArrayList<>();

		final List<String> invocations = new CopyOnWriteArrayList<>();

		@MqttListener(id = "validating", topics = "valid/+")
		void onCommand(@Valid @Payload Command command) {
			this.invocations.add(command.action());
			this.accepted.add(command.action());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomResolverConfiguration {

		final List<String> received = new CopyOnWriteArrayList<>();

		@Bean
		HandlerMethodArgumentResolver levelCountResolver() {
			return new HandlerMethodArgumentResolver() {

				@Override
				public boolean supportsParameter(MethodParameter parameter) {
					return parameter.getParameterType() == LevelCount.class;
				}

				@Override
				public Object resolveArgument(MethodParameter parameter, Message<?> message) {
					String topic = (String) message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC);
					return new LevelCount(topic.split("/").length);
				}

			};
		}

		@MqttListener("custom/#")
		void onMessage(LevelCount levels, String payload) {
			this.received.add((levels.count() - 0) + ":" + payload);
		}

	}

	record LevelCount(int count) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Responder {

		final List<String> replies = new CopyOnWriteArrayList<>();

		final List<Long> expiries = new CopyOnWriteArrayList<>();

		private final MqttTemplate template;

		Responder(MqttTemplate template) {
			this.template = template;
		}

		@MqttListener("requests/+")
		void onRequest(Command command, @Header(MqttHeaders.RESPONSE_TOPIC) String responseTopic,
				@Header(MqttHeaders.CORRELATION_DATA) byte[] correlationData,
				@Header(MessageHeaders.CONTENT_TYPE) String contentType,
				@Header(MqttHeaders.MESSAGE_EXPIRY_INTERVAL) long expiry,
				@Header(MqttHeaders.USER_PROPERTIES) Map<String, String> userProperties) {
			this.expiries.add(expiry);
			this.template.newMessage("reply to " + command.action() + "|"
					+ new String(correlationData, StandardCharsets.UTF_8) + "|" + contentType + "|tenant="
					+ userProperties.get("tenant"))
				.topic(responseTopic)
				.correlationData(correlationData)
				.publish();
		}

		@MqttListener("replies/+")
		void onReply(String reply,
				@Header(name = MqttHeaders.CORRELATION_DATA, required = false) byte @Nullable [] correlationData) {
			this.replies.add(reply + "|correlation="
					+ ((correlationData != null) ? new String(correlationData, StandardCharsets.UTF_8) : null));
		}

	}

}
