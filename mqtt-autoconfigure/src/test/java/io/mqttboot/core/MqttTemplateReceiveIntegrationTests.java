package io.mqttboot.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.actuate.endpoint.MqttEndpoint.ReceiveDescriptor;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.event.MqttSubscriptionRefusedEvent;
import io.mqttboot.metrics.MqttMetrics;
import io.mqttboot.test.MosquittoBroker;
import io.mqttboot.test.MqttBrokerExtension;
import io.mqttboot.test.MqttTestBroker;
import io.mqttboot.test.MqttTestBrokerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Pulling messages with {@link MqttTemplate#receive} and
 * {@link MqttTemplate#receiveAndConvert} against mosquitto, published by a second
 * application context.
 */
class MqttTemplateReceiveIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=" + broker.getUrl());

	/**
	 * Wait until the broker granted the subscription that the first {@code receive} made:
	 * the first call may time out before the SUBACK arrives, and messages published
	 * before the broker processed the SUBSCRIBE are not delivered.
	 */
	static void awaitGranted(ApplicationContext context, String filter) {
		MqttClientManager manager = context.getBean(MqttClientManager.class);
		await().until(() -> manager.getSubscriptions()
			.stream()
			.anyMatch((status) -> status.filter().equals(filter) && status.grantedQos() != null));
	}

	@Test
	void receiveShouldReturnTheNextMessageAndNullAfterTheTimeout() {
		this.contextRunner.run((publisherContext) -> this.contextRunner.run((context) -> {
			MqttTemplate publisher = publisherContext.getBean(MqttTemplate.class);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			// The first call subscribes; nothing has been published yet.
			MqttReceivedMessage none = template.receive("pull/+/temp", Duration.ofMillis(200));
			assertThat(none).isNull();
			awaitGranted(context, "pull/+/temp");
			publisher.publish("pull/kitchen/temp", "21.5");
			publisher.publish("pull/hall/temp", "19.0");
			MqttReceivedMessage first = template.receive("pull/+/temp", Duration.ofSeconds(5));
			MqttReceivedMessage second = template.receive("pull/+/temp", Duration.ofSeconds(5));
			assertThat(first).isNotNull();
			assertThat(first.getTopic()).isEqualTo("pull/kitchen/temp");
			assertThat(first.getPayload()).asString().isEqualTo("21.5");
			assertThat(first.isAcknowledged()).isTrue();
			assertThat(second).isNotNull();
			assertThat(second.getTopic()).isEqualTo("pull/hall/temp");
			assertThat(template.receive("pull/+/temp", Duration.ofMillis(200))).isNull();
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			assertThat(manager.getSubscriptions()).extracting(MqttSubscriptionStatus::filter)
				.containsExactly("pull/+/temp");
			assertThat(manager.getPullBuffers().getReceivedCount()).isEqualTo(2);
		}));
	}

	@Test
	void receiveAndConvertShouldReadTheNextMessageAsARecord() {
		this.contextRunner.run((publisherContext) -> this.contextRunner.run((context) -> {
			MqttTemplate publisher = publisherContext.getBean(MqttTemplate.class);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			assertThat(template.receiveAndConvert("pull/readings", Reading.class, Duration.ofMillis(200))).isNull();
			awaitGranted(context, "pull/readings");
			publisher.publish("pull/readings", new Reading("boiler", 71.5));
			Reading reading = template.receiveAndConvert("pull/readings", Reading.class, Duration.ofSeconds(5));
			assertThat(reading).isEqualTo(new Reading("boiler", 71.5));
		}));
	}

	@Test
	void bufferedMessagesShouldStayUnacknowledgedUntilReceivedAndOverflowShouldBeAcknowledgedAndCounted() {
		this.contextRunner.run((publisherContext) -> this.contextRunner.withPropertyValues("mqtt.receive.buffer-capacity=2")
			.run((context) -> {
				MqttTemplate publisher = publisherContext.getBean(MqttTemplate.class);
				MqttTemplate template = context.getBean(MqttTemplate.class);
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				SimpleMeterRegistry meters = new SimpleMeterRegistry();
				new MqttMetrics(context.getBean(MqttClientRegistry.class), null).bindTo(meters);
				assertThat(template.receive("pull/overflow", Duration.ofMillis(200))).isNull();
				awaitGranted(context, "pull/overflow");
				for (int i = 1; i <= 4; i++) {
					publisher.publish("pull/overflow", "m" + i);
				}
				await().untilAsserted(() -> assertThat(
						meters.get("mqtt.receive.overflow").tag("client", "default").functionCounter().count())
					.isEqualTo(2));
				// The two buffered messages wait unacknowledged until handed out.
				assertThat(manager.getInFlight().getIncomingQos1()).isEqualTo(2);
				ReceiveDescriptor endpoint = new MqttEndpoint(context.getBean(MqttClientRegistry.class), null).clients()
					.clients()
					.get("default")
					.receive();
				assertThat(endpoint.topicFilters()).containsExactly("pull/overflow");
				assertThat(endpoint.buffered()).isEqualTo(2);
				assertThat(endpoint.overflow()).isEqualTo(2);
				assertThat(template.receive("pull/overflow", Duration.ofSeconds(5)).getPayload()).asString()
					.isEqualTo("m1");
				assertThat(template.receive("pull/overflow", Duration.ofSeconds(5)).getPayload()).asString()
					.isEqualTo("m2");
				assertThat(manager.getInFlight().getIncomingQos1()).isZero();
				assertThat(template.receive("pull/overflow", Duration.ofMillis(200))).isNull();
			}));
	}

	@Test
	void receiveWithAnInvalidOrSharedFilterShouldThrow() {
		this.contextRunner.run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			assertThatIllegalArgumentException().isThrownBy(() -> template.receive("a/#/b", Duration.ofMillis(10)));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> template.receive("$share/g/a", Duration.ofMillis(10)))
				.withMessageContaining("receive() does not take shared subscriptions");
		});
	}

	@Test
	void aSubscriptionTheBrokerRefusesShouldFailReceiveAndRequestsNamingTheFilter(@TempDir Path dir) throws Exception {
		assumeThat(MosquittoBroker.isAvailable()).as("mosquitto installed").isTrue();
		List<String> denyConfig = MosquittoBroker.denySubscriptions(dir, "denied/#").orElse(null);
		assumeThat(denyConfig).as("mosquitto dynamic security plugin").isNotNull();
		MqttTestBrokerOptions options = MqttTestBrokerOptions.builder()
			.extraConfig(denyConfig.toArray(String[]::new))
			.build();
		try (MqttTestBroker denying = new MosquittoBroker(options)) {
			denying.start();
			this.contextRunner
				.withPropertyValues("mqtt.url=" + denying.getUrl(), "mqtt.request-reply.topic-prefix=denied/replies/")
				.withBean("refusals", RefusedFilters.class)
				.run((context) -> {
					MqttTemplate template = context.getBean(MqttTemplate.class);
					await().until(() -> context.getBean(MqttClientManager.class).isConnected());
					// Twice: a refused subscription is asked for again on the next call.
					for (int i = 0; i < 2; i++) {
						assertThatExceptionOfType(MqttException.class)
							.isThrownBy(() -> template.receive("denied/x", Duration.ofSeconds(5)))
							.withMessageContaining("the broker refused the subscription to 'denied/x'");
					}
					await().untilAsserted(() -> assertThat(context.getBean(RefusedFilters.class).filters)
						.containsExactly("denied/x", "denied/x"));
					assertThatExceptionOfType(MqttException.class)
						.isThrownBy(() -> template.sendAndReceive("allowed/rpc", "x", Duration.ofSeconds(5)))
						.withMessageContaining("the broker refused the subscription to 'denied/replies/");
					assertThat(context.getBean(MqttClientManager.class).getReplyCorrelator().getPendingCount()).isZero();
				});
		}
	}

	static class RefusedFilters implements ApplicationListener<MqttSubscriptionRefusedEvent> {

		final List<String> filters = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(MqttSubscriptionRefusedEvent event) {
			this.filters.add(event.getFilter());
		}

	}

	record Reading(String sensor, double value) {
	}

}
