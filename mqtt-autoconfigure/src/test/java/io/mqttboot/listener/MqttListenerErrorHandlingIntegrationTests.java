package io.mqttboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.support.converter.MqttMessageConversionException;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failing {@code @MqttListener} methods against a real broker: retry, conversion failures,
 * dead-letter publishing and per-listener error handlers.
 */
class MqttListenerErrorHandlingIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms",
				"mqtt.listener.retry.initial-interval=50ms");

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl());
	}

	@Test
	void listenerFailingOnTheFirstDeliveryShouldSucceedOnRetry() {
		runner().withUserConfiguration(FlakyListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			publish("retry/1", "job-1");
			FlakyListener listener = context.getBean(FlakyListener.class);
			MqttListenerContainer container = container(context, "flaky");
			await().until(() -> container.getProcessed() == 1);
			assertThat(listener.succeeded).containsExactly("job-1");
			assertThat(listener.invocations).hasValue(2);
			assertThat(container.getFailed()).isZero();
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
		});
	}

	@Test
	void malformedJsonShouldGoToTheErrorHandlerWithoutRetryAndLaterMessagesShouldBeProcessed() {
		runner().withUserConfiguration(OrderListener.class).run((context) -> {
			MqttClientManager manager = awaitSubscribed(context);
			Instant connectedSince = manager.getConnectedSince();
			publish("orders/json", "{\"id\": 7, \"amount\": ");
			publish("orders/json", "{\"id\": 8, \"amount\": 12.5}");
			OrderListener listener = context.getBean(OrderListener.class);
			MqttListenerContainer container = container(context, "orders");
			await().until(() -> container.getProcessed() == 1);
			assertThat(listener.received).containsExactly(new Order(8, 12.5));
			assertThat(container.getFailed()).isEqualTo(1);
			RecordingErrorHandler errorHandler = context.getBean("orderErrorHandler", RecordingErrorHandler.class);
			assertThat(errorHandler.failures).singleElement().satisfies((failure) -> {
				assertThat(failure.payload()).isEqualTo("{\"id\": 7, \"amount\": ");
				assertThat(failure.attempts()).as("conversion failures are not retried").isEqualTo(1);
				assertThat(failure.exception().getListenerId()).isEqualTo("orders");
				assertThat(failure.exception().getTopic()).isEqualTo("orders/json");
				assertThat(failure.exception()).hasRootCauseInstanceOf(tools.jackson.core.JacksonException.class)
					.cause()
					.isInstanceOf(MqttMessageConversionException.class);
			});
			assertThat(manager.isConnected()).isTrue();
			assertThat(manager.getConnectedSince()).isEqualTo(connectedSince);
			await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
		});
	}

	@Test
	void listenerFailingEveryAttemptShouldPublishTheMessageToTheDeadLetterTopic() {
		runner().withPropertyValues("mqtt.listener.dead-letter.enabled=true")
			.withUserConfiguration(PaymentListeners.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				Instant connectedSince = manager.getConnectedSince();
				try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					raw.subscribe("dlt/#", 1);
					raw.publish("payments/42", "pay-42", 1, false);
					await().until(() -> !raw.received().isEmpty());
					assertThat(raw.received()).singleElement().satisfies((dead) -> {
						assertThat(dead.topic()).isEqualTo("dlt/payments/42");
						assertThat(dead.payload()).isEqualTo("pay-42");
						assertThat(userProperties(dead)).containsEntry("mqtt_dlt_exception", "java.lang.IllegalStateException")
							.containsEntry("mqtt_dlt_exception_message", "payment service down")
							.containsEntry("mqtt_dlt_original_topic", "payments/42")
							.containsEntry("mqtt_dlt_attempts", "3")
							.containsEntry("mqtt_dlt_listener", "payments");
					});
					PaymentListeners listeners = context.getBean(PaymentListeners.class);
					assertThat(listeners.paymentAttempts).hasValue(3);
					await().until(() -> container(context, "payments").getFailed() == 1);
					raw.publish("audit/1", "audit-1", 1, false);
					await().untilAsserted(() -> assertThat(listeners.audited).containsExactly("audit-1"));
					assertThat(manager.isConnected()).isTrue();
					assertThat(manager.getConnectedSince()).isEqualTo(connectedSince);
					await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
				}
			});
	}

	@Test
	void listenerWithItsOwnErrorHandlerShouldUseItInsteadOfTheDeadLetterTopic() {
		runner().withPropertyValues("mqtt.listener.dead-letter.enabled=true")
			.withUserConfiguration(PaymentListeners.class)
			.run((context) -> {
				awaitSubscribed(context);
				try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					raw.subscribe("dlt/#", 1);
					raw.publish("refunds/9", "refund-9", 1, false);
					RecordingErrorHandler refundErrorHandler = context.getBean("refundErrorHandler",
							RecordingErrorHandler.class);
					await().until(() -> !refundErrorHandler.failures.isEmpty());
					assertThat(refundErrorHandler.failures).singleElement().satisfies((failure) -> {
						assertThat(failure.payload()).isEqualTo("refund-9");
						assertThat(failure.attempts()).isEqualTo(3);
						assertThat(failure.exception()).hasRootCauseInstanceOf(IllegalArgumentException.class)
							.hasMessageContaining("Listener 'refunds'")
							.hasMessageContaining("refunds/9");
					});
					// A dead letter published meanwhile would arrive before this one.
					raw.publish("payments/1", "pay-1", 1, false);
					await().until(() -> !raw.received().isEmpty());
					assertThat(raw.received()).extracting(RawMqttClient.Received::topic).containsExactly("dlt/payments/1");
				}
			});
	}

	private static void publish(String topic, String payload) {
		try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.publish(topic, payload, 1, false);
		}
	}

	private static Map<String, String> userProperties(RawMqttClient.Received received) {
		Map<String, String> properties = new LinkedHashMap<>();
		received.publish()
			.getUserProperties()
			.asList()
			.forEach((property) -> properties.put(property.getName().toString(), property.getValue().toString()));
		return properties;
	}

	record Order(int id, double amount) {
	}

	record Failure(String payload, MqttListenerExecutionFailedException exception, int attempts) {
	}

	static class RecordingErrorHandler implements MqttListenerErrorHandler {

		final List<Failure> failures = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(MqttReceivedMessage message, MqttListenerExecutionFailedException exception,
				int attempts) {
			this.failures.add(new Failure(new String(message.getPayload(), StandardCharsets.UTF_8), exception, attempts));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FlakyListener {

		final AtomicInteger invocations = new AtomicInteger();

		final List<String> succeeded = new CopyOnWriteArrayList<>();

		@MqttListener(id = "flaky", topics = "retry/+", qos = 1)
		void onJob(String payload) {
			if (this.invocations.incrementAndGet() == 1) {
				throw new IllegalStateException("first delivery fails");
			}
			this.succeeded.add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderListener {

		final List<Order> received = new CopyOnWriteArrayList<>();

		@Bean
		RecordingErrorHandler orderErrorHandler() {
			return new RecordingErrorHandler();
		}

		@MqttListener(id = "orders", topics = "orders/json", qos = 1, errorHandler = "orderErrorHandler")
		void onOrder(Order order) {
			this.received.add(order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PaymentListeners {

		final AtomicInteger paymentAttempts = new AtomicInteger();

		final List<String> audited = new CopyOnWriteArrayList<>();

		@Bean
		RecordingErrorHandler refundErrorHandler() {
			return new RecordingErrorHandler();
		}

		@MqttListener(id = "payments", topics = "payments/+", qos = 1)
		void onPayment(String payload) {
			this.paymentAttempts.incrementAndGet();
			throw new IllegalStateException("payment service down");
		}

		@MqttListener(id = "refunds", topics = "refunds/+", qos = 1, errorHandler = "refundErrorHandler")
		void onRefund(String payload) {
			throw new IllegalArgumentException("unknown refund " + payload);
		}

		@MqttListener(id = "audit", topics = "audit/+", qos = 1)
		void onAudit(String payload) {
			this.audited.add(payload);
		}

	}

}
