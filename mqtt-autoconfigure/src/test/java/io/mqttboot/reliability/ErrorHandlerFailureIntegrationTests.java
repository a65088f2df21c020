package io.mqttboot.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.mqttboot.RawMqttClient;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitSubscribed;
import static io.mqttboot.ListenerContexts.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A dead-letter publish that fails must not acknowledge the failed message: against a
 * mosquitto whose ACL refuses the dead-letter topic, and with the broker unreachable.
 */
@ExtendWith(OutputCaptureExtension.class)
class ErrorHandlerFailureIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder()
		.acl("topic readwrite payments/#", "topic readwrite orders/#", "topic readwrite dlt/orders/#",
				"topic read dlt/#")
		.build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms",
				"mqtt.listener.retry.initial-interval=50ms", "mqtt.listener.dead-letter.enabled=true",
				"mqtt.publish.timeout=1s", "mqtt.shutdown-timeout=2s");

	@Test
	void deadLetterTopicRefusedByTheBrokerShouldLeaveTheMessageUnacknowledgedAndHoldBackItsTopic(
			CapturedOutput output) {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(PaymentListener.class)
			.run((context) -> {
				MqttClientManager manager = awaitSubscribed(context);
				PaymentListener listener = context.getBean(PaymentListener.class);
				try (RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
					raw.subscribe("dlt/#", 1);
					raw.publish("payments/1", "pay-1", 1, false);
					await().until(() -> output.toString()
						.contains("Error handler of listener 'payments' failed for a QoS 1 message from topic"
								+ " 'payments/1' (attempt 1)"));
					raw.publish("payments/1", "pay-2", 1, false);
					await().until(() -> container(context, "payments").getQueued() == 1);
					await().until(() -> output.toString().contains("(attempt 3)"));
					assertThat(output).contains("the message is not acknowledged and the error handler is retried")
						.contains("PUBACK contained an Error Code");
					assertThat(manager.getInFlight().getIncomingQos1()).isEqualTo(2);
					assertThat(listener.received).as("the next message of the topic waits")
						.containsOnly("pay-1")
						.hasSize(3);
					assertThat(container(context, "payments").getFailed()).isOne();
					assertThat(raw.received()).as("the broker refused every dead letter").isEmpty();
					assertThat(manager.isConnected()).isTrue();
				}
			});
		assertThat(output).contains("Listener 'payments' stopped with 2 messages not acknowledged")
			.contains("MQTT client 'default' uses a clean session, so the broker discards them when the connection"
					+ " closes: these 2 messages are lost");
	}

	@Test
	void deadLetterPublishWhileTheBrokerIsUnreachableShouldBeRetriedAndAcknowledgeOnlyOnceItSucceeded(
			CapturedOutput output) {
		try (FaultProxy proxy = FaultProxy.to(broker.get());
				RawMqttClient raw = RawMqttClient.connect(broker.getHost(), broker.getPort())) {
			raw.subscribe("dlt/#", 1);
			this.contextRunner.withPropertyValues("mqtt.url=" + proxy.getUrl())
				.withUserConfiguration(OrderListener.class)
				.run((context) -> {
					MqttClientManager manager = awaitSubscribed(context);
					OrderListener listener = context.getBean(OrderListener.class);
					raw.publish("orders/1", "order-1", 1, false);
					assertThat(listener.entered.await(10, TimeUnit.SECONDS)).isTrue();
					proxy.rejectNew(true);
					proxy.cutAll();
					await().until(() -> !manager.isConnected());
					listener.proceed.countDown();
					await().until(() -> output.toString()
						.contains("Error handler of listener 'orders' failed for a QoS 1 message from topic"
								+ " 'orders/1' (attempt 2)"));
					assertThat(manager.getInFlight().getIncomingQos1()).as("not acknowledged while the broker is away")
						.isOne();
					assertThat(raw.received()).isEmpty();
					proxy.rejectNew(false);
					await().until(() -> !raw.received().isEmpty());
					assertThat(raw.received()).allSatisfy((dead) -> {
						assertThat(dead.topic()).isEqualTo("dlt/orders/1");
						assertThat(dead.payload()).isEqualTo("order-1");
					});
					await().until(() -> output.toString()
						.contains("Error handler of listener 'orders' succeeded for the message from topic 'orders/1'"));
					await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
					assertThat(container(context, "orders").getFailed()).isOne();
					Reliability.report("dead-letter publish while the broker is unreachable (publish timeout 1 s)",
							"failed message acknowledged after the dead-letter publish succeeded; " + raw.received().size()
									+ " dead-letter copies arrived (timed-out attempts are sent from the outbox too)");
				});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class PaymentListener {

		final List<String> received = new CopyOnWriteArrayList<>();

		@MqttListener(id = "payments", topics = "payments/+", qos = 1)
		void onPayment(String payload) {
			this.received.add(payload);
			throw new IllegalStateException("payment service down");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderListener {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch proceed = new CountDownLatch(1);

		@MqttListener(id = "orders", topics = "orders/+", qos = 1)
		void onOrder(String payload) throws InterruptedException {
			this.entered.countDown();
			this.proceed.await(30, TimeUnit.SECONDS);
			throw new IllegalStateException("order service down");
		}

	}

}
