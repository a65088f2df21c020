package io.mqttboot.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.mqttboot.ListenerContexts;
import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.actuate.endpoint.MqttEndpoint.RequestReplyDescriptor;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.metrics.MqttMetrics;
import io.mqttboot.support.MqttHeaders;
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
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * MQTT 5 request/reply against mosquitto: {@link MqttTemplate#sendAndReceive} in one
 * application context, a replying {@code @MqttListener} in another, each with its own
 * connection.
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttRequestReplyIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner requester = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("spring.application.name=requester", "mqtt.url=" + broker.getUrl());

	private final ApplicationContextRunner responderWithoutListeners = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("spring.application.name=responder", "mqtt.url=" + broker.getUrl(),
				"mqtt.listener.concurrency=4");

	private final ApplicationContextRunner responder = this.responderWithoutListeners
		.withUserConfiguration(Responders.class);

	@Test
	void thousandConcurrentRequestsShouldEachGetTheirOwnReply() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			this.requester.run((context) -> {
				MqttTemplate template = context.getBean(MqttTemplate.class);
				List<CompletableFuture<MqttReceivedMessage>> replies = new ArrayList<>();
				for (int i = 0; i < 1000; i++) {
					// Spread over topics so that the responder's 4 workers answer out of order.
					replies.add(template.sendAndReceiveAsync("rpc/double/" + (i % 16), Integer.toString(i),
							Duration.ofSeconds(30)));
				}
				CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
				for (int i = 0; i < 1000; i++) {
					assertThat(new String(replies.get(i).get().getPayload(), StandardCharsets.UTF_8))
						.as("reply to request %d", i)
						.isEqualTo(Integer.toString(2 * i));
				}
				MqttReplyCorrelator correlator = context.getBean(MqttClientManager.class).getReplyCorrelator();
				assertThat(correlator.getCompletedCount()).isEqualTo(1000);
				assertThat(correlator.getPendingCount()).isZero();
				assertThat(correlator.getUnknownReplyCount()).isZero();
			});
		});
	}

	@Test
	void theReplySubscriptionShouldBeRenewedWhenACleanSessionReconnects() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			try (FaultProxy proxy = FaultProxy.to(broker.get())) {
				this.requester.withPropertyValues("mqtt.url=" + proxy.getUrl(), "mqtt.clean-start=true",
						"mqtt.session-expiry=0")
					.run((context) -> {
						MqttTemplate template = context.getBean(MqttTemplate.class);
						MqttClientManager manager = context.getBean(MqttClientManager.class);
						assertThat(template.convertSendAndReceive("rpc/double/1", "1", Integer.class,
								Duration.ofSeconds(10))).isEqualTo(2);
						proxy.cutAll();
						await().until(() -> manager.getReconnectCount() == 1 && manager.isConnected());
						assertThat(manager.isSessionPresent()).isFalse();
						assertThat(template.convertSendAndReceive("rpc/double/2", "2", Integer.class,
								Duration.ofSeconds(10))).isEqualTo(4);
					});
			}
		});
	}

	@Test
	void aRequestShouldCarryTheReplyTopicCorrelationDataAndTheTimeoutAsExpiry() throws Exception {
		Mqtt5BlockingClient peer = MqttClient.builder()
			.useMqttVersion5()
			.identifier("inspector-" + System.nanoTime())
			.serverHost(broker.getHost())
			.serverPort(broker.getPort())
			.buildBlocking();
		peer.connect();
		try (Mqtt5BlockingClient.Mqtt5Publishes publishes = peer.publishes(MqttGlobalPublishFilter.ALL)) {
			peer.subscribeWith().topicFilter("rpc/inspect").qos(MqttQos.AT_LEAST_ONCE).send();
			this.requester.run((context) -> {
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				context.getBean(MqttTemplate.class).sendAndReceiveAsync("rpc/inspect", "look", Duration.ofMillis(1500));
				Mqtt5Publish request = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
				assertThat(request.getResponseTopic()).hasValueSatisfying((topic) -> assertThat(topic)
					.hasToString("mqtt-replies/" + manager.getClientId()));
				assertThat(request.getCorrelationData()).hasValueSatisfying((data) -> assertThat(data.remaining())
					.isEqualTo(16));
				assertThat(request.getMessageExpiryInterval()).isPresent();
				assertThat(request.getMessageExpiryInterval().getAsLong()).isBetween(1L, 2L);
			});
		}
		finally {
			peer.disconnect();
		}
	}

	@Test
	void sendAndReceiveWithoutAReplyShouldTimeOutNamingTheTopic() {
		this.requester.run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			assertThatExceptionOfType(MqttRequestTimeoutException.class)
				.isThrownBy(() -> template.sendAndReceive("rpc/nobody/home", "ping", Duration.ofMillis(300)))
				.withMessageContaining("'rpc/nobody/home'")
				.withMessageContaining("within 300 ms")
				.satisfies((ex) -> assertThat(ex.getTopic()).isEqualTo("rpc/nobody/home"));
			assertThat(context.getBean(MqttClientManager.class).getReplyCorrelator().getTimeoutCount()).isOne();
		});
	}

	@Test
	void aReplyAfterTheTimeoutShouldBeDroppedAndCountedAsLate() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			Responders responders = responderContext.getBean(Responders.class);
			this.requester.run((context) -> {
				MqttTemplate template = context.getBean(MqttTemplate.class);
				assertThatExceptionOfType(MqttRequestTimeoutException.class)
					.isThrownBy(() -> template.sendAndReceive("rpc/slow", "late", Duration.ofMillis(300)));
				responders.slowReply.countDown();
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				SimpleMeterRegistry meters = new SimpleMeterRegistry();
				new MqttMetrics(context.getBean(MqttClientRegistry.class), null).bindTo(meters);
				await().untilAsserted(() -> assertThat(
						meters.get("mqtt.replies.dropped").tag("client", "default").tag("reason", "late").functionCounter().count())
					.isOne());
				RequestReplyDescriptor endpoint = new MqttEndpoint(context.getBean(MqttClientRegistry.class), null).clients()
					.clients()
					.get("default")
					.requestReply();
				assertThat(endpoint.lateReplies()).isOne();
				assertThat(endpoint.timedOut()).isOne();
				assertThat(endpoint.unknownReplies()).isZero();
				// A reply nobody asked for: unknown, not late.
				peerPublish(manager.getReplyCorrelator().getReplyTopic(), "stray", new byte[] { 1, 2, 3 });
				await().untilAsserted(() -> assertThat(manager.getReplyCorrelator().getUnknownReplyCount()).isOne());
				assertThat(manager.getReplyCorrelator().getLateReplyCount()).isOne();
			});
		});
	}

	@Test
	void requestsThroughANamedClientShouldBeAnsweredThroughTheListenersNamedClient() {
		// The responder's default client speaks MQTT 3.1.1: only its MQTT 5 client 'rpc'
		// can carry the correlation data back, so a correlated reply proves that the reply
		// went out on the listener's own client.
		this.responderWithoutListeners.withPropertyValues("mqtt.version=3", "mqtt.clients.rpc.url=" + broker.getUrl())
			.withUserConfiguration(NamedClientResponder.class)
			.run((responderContext) -> {
				MqttClientManager rpc = responderContext.getBean(MqttClientRegistry.class).getClientManager("rpc");
				await().until(() -> rpc.isConnected() && !rpc.getSubscriptions().isEmpty()
						&& rpc.getSubscriptions().stream().allMatch((status) -> status.grantedQos() != null));
				this.requester.withPropertyValues("mqtt.clients.ops.url=" + broker.getUrl()).run((context) -> {
					MqttClientRegistry clients = context.getBean(MqttClientRegistry.class);
					MqttReceivedMessage reply = clients.getTemplate("ops")
						.sendAndReceive("named/rpc/status", "ping", Duration.ofSeconds(10));
					assertThat(new String(reply.getPayload(), StandardCharsets.UTF_8)).isEqualTo("pong from rpc");
					assertThat(reply.getClientName()).isEqualTo("ops");
					MqttClientManager ops = clients.getClientManager("ops");
					assertThat(reply.getTopic()).isEqualTo("mqtt-replies/" + ops.getClientId());
					assertThat(ops.getSubscriptions()).extracting(MqttSubscriptionStatus::filter)
						.containsExactly(reply.getTopic());
					assertThat(context.getBean(MqttClientManager.class).getSubscriptions()).isEmpty();
				});
			});
	}

	@Test
	void sendToShouldTakeRepliesToRequestsWithoutAResponseTopicToTheTemplatedTopic() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			this.requester.run((context) -> {
				MqttTemplate template = context.getBean(MqttTemplate.class);
				// Subscribes on first use; nothing is there yet.
				assertThat(template.receive("replies/+", Duration.ofMillis(200))).isNull();
				MqttTemplateReceiveIntegrationTests.awaitGranted(context, "replies/+");
				template.publish("devices/valve-7/cmd", "open");
				MqttReceivedMessage reply = template.receive("replies/+", Duration.ofSeconds(10));
				assertThat(reply).isNotNull();
				assertThat(reply.getTopic()).isEqualTo("replies/valve-7");
				assertThat(new String(reply.getPayload(), StandardCharsets.UTF_8)).isEqualTo("valve-7 did open");
				// A request with a response topic is answered there, not at @SendTo.
				MqttReceivedMessage direct = template.sendAndReceive("devices/valve-8/cmd", "close",
						Duration.ofSeconds(10));
				assertThat(new String(direct.getPayload(), StandardCharsets.UTF_8)).isEqualTo("valve-8 did close");
				assertThat(template.receive("replies/+", Duration.ofMillis(300))).isNull();
			});
		});
	}

	@Test
	void aMessageReturnValueShouldSetTheReplyProperties() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			this.requester.run((context) -> {
				MqttReceivedMessage reply = context.getBean(MqttTemplate.class)
					.sendAndReceive("rpc/describe", "pump-1", Duration.ofSeconds(10));
				assertThat(new String(reply.getPayload(), StandardCharsets.UTF_8)).isEqualTo("<pump id=\"pump-1\"/>");
				assertThat(reply.getContentType()).isEqualTo("application/xml");
				assertThat(reply.getUserProperties()).containsExactly(entry("schema", "v2"));
			});
		});
	}

	@Test
	void aFailingListenerWithReplyOnErrorShouldAnswerWithAnErrorReply() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			this.requester.run((context) -> {
				MqttTemplate template = context.getBean(MqttTemplate.class);
				MqttReceivedMessage reply = template.sendAndReceive("rpc/fail", "x", Duration.ofSeconds(10));
				assertThat(reply.getUserProperties())
					.containsExactly(entry(MqttTemplate.ERROR_PROPERTY, IllegalStateException.class.getName()));
				assertThat(new String(reply.getPayload(), StandardCharsets.UTF_8)).isEqualTo("valve stuck");
				assertThatExceptionOfType(MqttException.class)
					.isThrownBy(() -> template.convertSendAndReceive("rpc/fail", "x", String.class, Duration.ofSeconds(10)))
					.withMessageContaining("'rpc/fail'")
					.withMessageContaining("valve stuck");
				// Answered, not failed: no retries, no error handler.
				assertThat(ListenerContexts.container(responderContext, "fail").getFailed()).isZero();
				assertThat(responderContext.getBean(Responders.class).failures).hasValue(2);
			});
		});
	}

	@Test
	void aCompletableFutureReturnValueShouldBeTheReplyWhenItCompletes() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			this.requester.run((context) -> assertThat(context.getBean(MqttTemplate.class)
				.convertSendAndReceive("rpc/async", "pump-2", String.class, Duration.ofSeconds(10)))
				.isEqualTo("pump-2 is running"));
		});
	}

	@Test
	void convertSendAndReceiveShouldConvertTheReply() {
		this.responder.run((responderContext) -> {
			ListenerContexts.awaitSubscribed(responderContext);
			this.requester.run((context) -> {
				Integer doubled = context.getBean(MqttTemplate.class)
					.convertSendAndReceive("rpc/double/1", "21", Integer.class, Duration.ofSeconds(10));
				assertThat(doubled).isEqualTo(42);
			});
		});
	}

	@Test
	void aReplyWithoutResponseTopicOrSendToShouldBeLoggedAndCounted(CapturedOutput output) {
		this.responder.run((responderContext) -> {
			MqttClientManager manager = ListenerContexts.awaitSubscribed(responderContext);
			assertThat(output).contains("Listener 'double'")
				.contains("returns a value and has no @SendTo");
			this.requester.run((context) -> context.getBean(MqttTemplate.class).publish("rpc/double/3", "3"));
			await().untilAsserted(
					() -> assertThat(manager.getReplyCorrelator().getUndeliverableReplyCount()).isOne());
			assertThat(output).contains("Listener 'double' returned a reply to the message from topic 'rpc/double/3',"
					+ " but the message has no response topic and the listener no @SendTo: the reply is dropped");
			assertThat(ListenerContexts.container(responderContext, "double").getProcessed()).isOne();
		});
	}

	@Test
	void sendAndReceiveOnAnMqtt311ClientShouldFailFast() {
		this.requester.withPropertyValues("mqtt.version=3").run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			assertThatExceptionOfType(MqttException.class)
				.isThrownBy(() -> template.sendAndReceive("rpc/double/1", "1", Duration.ofSeconds(1)))
				.withMessageContaining("sendAndReceive needs MQTT 5")
				.withMessageContaining("MQTT client 'default' speaks MQTT 3.1.1 (set mqtt.version=5)");
			assertThatExceptionOfType(MqttException.class)
				.isThrownBy(() -> template.sendAndReceiveAsync("rpc/double/1", "1", Duration.ofSeconds(1)))
				.withMessageContaining("needs MQTT 5");
		});
	}

	@Test
	void sendToOnAnMqtt311ClientShouldFailTheStartup() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.version=3")
			.withUserConfiguration(SendToResponder.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("request/reply needs MQTT 5, but listener 'command' has @SendTo and its MQTT"
						+ " client 'default' speaks MQTT 3.1.1"));
	}

	@Test
	void sendToWithAnUnknownTopicVariableShouldFailTheStartup() {
		this.responderWithoutListeners.withUserConfiguration(UnknownVariableResponder.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("@SendTo(\"replies/{site}\") uses {site}, which is not a variable of the"
						+ " listener's topics [deviceId]"));
	}

	@Test
	void aReturningListenerOnAnMqtt311ClientShouldWarnThatRepliesNeedMqtt5(CapturedOutput output) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.version=3")
			.withUserConfiguration(Mqtt311Responder.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("Listener 'legacy' (").contains("Mqtt311Responder.onLegacy) returns a value, but"
						+ " request/reply needs MQTT 5 and its MQTT client 'default' speaks MQTT 3.1.1: return values"
						+ " are discarded");
			});
	}

	private static void peerPublish(String topic, String payload, byte[] correlationData) {
		Mqtt5BlockingClient peer = MqttClient.builder()
			.useMqttVersion5()
			.identifier("peer-" + System.nanoTime())
			.serverHost(broker.getHost())
			.serverPort(broker.getPort())
			.buildBlocking();
		peer.connect();
		try {
			peer.publishWith()
				.topic(topic)
				.payload(payload.getBytes(StandardCharsets.UTF_8))
				.qos(MqttQos.AT_LEAST_ONCE)
				.correlationData(correlationData)
				.send();
		}
		finally {
			peer.disconnect();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Responders {

		final CountDownLatch slowReply = new CountDownLatch(1);

		final AtomicInteger failures = new AtomicInteger();

		@MqttListener(id = "double", topics = "rpc/double/+")
		String onDouble(String number) {
			return Integer.toString(2 * Integer.parseInt(number));
		}

		@MqttListener(id = "slow", topics = "rpc/slow")
		String onSlow(String payload) throws InterruptedException {
			// Held until the requester timed out, then answered.
			this.slowReply.await(30, TimeUnit.SECONDS);
			return payload;
		}

		@MqttListener(id = "command", topics = "devices/{deviceId}/cmd")
		@SendTo("replies/{deviceId}")
		String onCommand(@TopicVariable String deviceId, String command) {
			return deviceId + " did " + command;
		}

		@MqttListener(id = "describe", topics = "rpc/describe")
		Message<String> onDescribe(String id) {
			return MessageBuilder.withPayload("<pump id=\"" + id + "\"/>")
				.setHeader(MqttHeaders.USER_PROPERTIES, Map.of("schema", "v2"))
				.setHeader("contentType", "application/xml")
				.build();
		}

		@MqttListener(id = "async", topics = "rpc/async")
		CompletableFuture<String> onAsync(String id) {
			return CompletableFuture.supplyAsync(() -> id + " is running");
		}

		@MqttListener(id = "fail", topics = "rpc/fail", replyOnError = true)
		String onFail(String payload) {
			this.failures.incrementAndGet();
			throw new IllegalStateException("valve stuck");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NamedClientResponder {

		@MqttListener(id = "status", topics = "named/rpc/status", client = "rpc")
		String onStatus(String ping) {
			return "pong from rpc";
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SendToResponder {

		@MqttListener(id = "command", topics = "legacy/{deviceId}/cmd")
		@SendTo("replies/{deviceId}")
		String onCommand(@TopicVariable String deviceId, String command) {
			return command;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownVariableResponder {

		@MqttListener(id = "unknownVariable", topics = "odd/{deviceId}/cmd")
		@SendTo("replies/{site}")
		String onCommand(@TopicVariable String deviceId) {
			return deviceId;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Mqtt311Responder {

		@MqttListener(id = "legacy", topics = "legacy/status")
		String onLegacy(String payload) {
			return payload;
		}

	}

}
