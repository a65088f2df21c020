package io.mqttboot.contract;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.mqttboot.ListenerContexts;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.contract.BrokerLimitation.Feature;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.FaultProxy;
import io.mqttboot.test.MqttTestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract every broker of the matrix is held to: the starter, unchanged but for
 * {@code mqtt.version}, against a real broker. One subclass per broker starts that broker once
 * for all rows (about 10 s for RabbitMQ, 1 to 2 s for HiveMQ CE), so the matrix stays within CI's
 * time. A row the broker cannot pass by design is skipped with a named {@link BrokerLimitation}.
 * <p>
 * The request/reply row needs MQTT 5 (response topic and correlation data) and is skipped on
 * MQTT 3.1.1 brokers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrokerContractTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ContractBroker brokerType;

	private MqttTestBroker broker;

	private FaultProxy proxy;

	private String topic;

	BrokerContractTests(ContractBroker brokerType) {
		this.brokerType = brokerType;
	}

	@BeforeAll
	void startBroker() {
		String reason = this.brokerType.unavailableReason();
		Assumptions.assumeTrue(reason == null, () -> this.brokerType + " cannot run here: " + reason);
		this.broker = this.brokerType.create();
		this.broker.start();
		this.proxy = FaultProxy.to(this.broker);
	}

	@AfterAll
	void stopBroker() {
		if (this.proxy != null) {
			this.proxy.close();
		}
		if (this.broker != null) {
			this.broker.close();
		}
	}

	MqttTestBroker broker() {
		return this.broker;
	}

	@BeforeEach
	void newTopic() {
		this.proxy.restore();
		this.proxy.rejectNew(false);
		this.topic = "contract/" + UUID.randomUUID().toString().substring(0, 8);
	}

	@ParameterizedTest(name = "published with QoS {0}")
	@ValueSource(ints = { 0, 1, 2 })
	void deliveredQosShouldBeTheLowerOfPublishAndSubscriptionQos(int publishQos) {
		if (publishQos == 2) {
			BrokerLimitation.skipIfLimited(this.brokerType, Feature.QOS_2);
		}
		app(QosListeners.class).run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			for (int subscriptionQos = 0; subscriptionQos <= 2; subscriptionQos++) {
				template.newMessage("qos" + publishQos)
					.topic(this.topic + "/sub" + subscriptionQos)
					.qos(publishQos)
					.publishAsync()
					.get(30, TimeUnit.SECONDS);
			}
			Recorder recorder = context.getBean(QosListeners.class).recorder;
			await().atMost(TIMEOUT).until(() -> recorder.messages.size() >= 3);
			Map<String, Integer> deliveredQos = recorder.messages.stream()
				.collect(Collectors.toMap(Received::listener, Received::qos));
			int sub2 = (this.brokerType == ContractBroker.RABBITMQ) ? Math.min(publishQos, 1) : publishQos;
			assertThat(deliveredQos).containsOnly(Map.entry("sub0", 0), Map.entry("sub1", Math.min(publishQos, 1)),
					Map.entry("sub2", sub2));
		});
	}

	@Test
	void retainedMessageShouldReachLaterSubscribersUntilCleared() {
		app(TopicListener.class).run((publisher) -> {
			MqttTemplate template = publisher.getBean(MqttTemplate.class);
			ListenerContexts.awaitSubscribed(publisher);
			template.newMessage("kept").topic(this.topic + "/retained").qos(1).retain(true).publishAsync().get(30,
					TimeUnit.SECONDS);
			app(RetainedListener.class).run((subscriber) -> {
				Recorder recorder = subscriber.getBean(RetainedListener.class).recorder;
				await().atMost(TIMEOUT).until(() -> !recorder.messages.isEmpty());
				assertThat(recorder.messages).singleElement().satisfies((received) -> {
					assertThat(received.payload()).isEqualTo("kept");
					assertThat(received.retained()).isTrue();
				});
			});
			template.newMessage("").topic(this.topic + "/retained").qos(1).retain(true).publishAsync().get(30,
					TimeUnit.SECONDS);
			app(RetainedListener.class).run((subscriber) -> {
				ListenerContexts.awaitSubscribed(subscriber);
				// Ordered on one topic: when the marker arrives, a retained message would have too.
				template.newMessage("marker").topic(this.topic + "/retained").qos(1).publishAsync().get(30,
						TimeUnit.SECONDS);
				Recorder recorder = subscriber.getBean(RetainedListener.class).recorder;
				await().atMost(TIMEOUT).until(() -> !recorder.messages.isEmpty());
				assertThat(recorder.payloads()).containsExactly("marker");
			});
		});
	}

	@Test
	void willShouldBePublishedWhenTheConnectionBreaks() {
		app(WillListener.class).run((observer) -> {
			ListenerContexts.awaitSubscribed(observer);
			app(TopicListener.class)
				.withPropertyValues("mqtt.url=" + this.proxy.getUrl(), "mqtt.will.topic=" + this.topic + "/will",
						"mqtt.will.payload=gone", "mqtt.will.qos=1")
				.run((dying) -> {
					MqttClientManager manager = ListenerContexts.awaitSubscribed(dying);
					this.proxy.rejectNew(true);
					this.proxy.cutAll();
					await().atMost(TIMEOUT).until(() -> !manager.isConnected());
					Recorder recorder = observer.getBean(WillListener.class).recorder;
					await().atMost(TIMEOUT).until(() -> !recorder.messages.isEmpty());
					assertThat(recorder.payloads()).containsExactly("gone");
				});
		});
	}

	@Test
	void wildcardAndOverlappingListenersShouldEachReceiveAMessageOnce() {
		app(WildcardListeners.class).run((context) -> {
			ListenerContexts.awaitSubscribed(context);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			for (String suffix : List.of("kitchen/temp", "kitchen/humidity", "hall/temp/raw", "end")) {
				template.newMessage(suffix).topic(this.topic + "/" + suffix).qos(1).publishAsync().get(30,
						TimeUnit.SECONDS);
			}
			Recorder recorder = context.getBean(WildcardListeners.class).recorder;
			await().atMost(TIMEOUT).until(() -> recorder.payloads().contains("end"));
			// Delivered in order per topic and client; "end" was published last.
			await().atMost(TIMEOUT).until(() -> recorder.messages.size() >= 5);
			assertThat(recorder.byListener("plus")).containsExactly("kitchen/temp");
			assertThat(recorder.byListener("hash")).containsExactlyInAnyOrder("kitchen/temp", "kitchen/humidity",
					"hall/temp/raw", "end");
		});
	}

	@Test
	void sharedSubscriptionShouldDeliverEachMessageToOneMemberOfTheGroup() {
		BrokerLimitation.skipIfLimited(this.brokerType, Feature.SHARED_SUBSCRIPTIONS);
		app(SharedListener.class).run((first) -> app(SharedListener.class).run((second) -> {
			ListenerContexts.awaitSubscribed(first);
			ListenerContexts.awaitSubscribed(second);
			MqttTemplate template = first.getBean(MqttTemplate.class);
			int count = 20;
			List<CompletableFuture<MqttPublishResult>> sent = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				sent.add(template.newMessage("m" + i).topic(this.topic + "/shared").qos(1).publishAsync());
			}
			CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
			Recorder a = first.getBean(SharedListener.class).recorder;
			Recorder b = second.getBean(SharedListener.class).recorder;
			await().atMost(TIMEOUT).until(() -> a.messages.size() + b.messages.size() >= count);
			List<String> all = new ArrayList<>(a.payloads());
			all.addAll(b.payloads());
			assertThat(all).hasSize(count).doesNotHaveDuplicates();
		}));
	}

	/**
	 * With {@code mqtt.clean-start=false}, and with the default {@code true} plus a session
	 * expiry, which MQTT 5 keeps across a lost connection [MQTT-3.1.2-4, MQTT-3.1.2-23].
	 * @param cleanStart the first connection's clean start flag
	 */
	@ParameterizedTest(name = "clean start {0}")
	@ValueSource(booleans = { false, true })
	void persistentSessionShouldReceiveWhatWasPublishedDuringACut(boolean cleanStart) {
		if (cleanStart) {
			BrokerLimitation.skipIfLimited(this.brokerType, Feature.SESSION_EXPIRY_AFTER_CLEAN_START);
		}
		String clientId = "contract-" + this.brokerType.name().toLowerCase() + "-" + this.topic.substring(9);
		app(TopicListener.class).withPropertyValues("mqtt.url=" + this.proxy.getUrl(), "mqtt.client-id=" + clientId,
				"mqtt.clean-start=" + cleanStart, "mqtt.session-expiry=5m")
			.run((subscriber) -> app(TopicListener.class).withPropertyValues("mqtt.listener.auto-startup=false")
				.run((publisher) -> {
					MqttClientManager manager = ListenerContexts.awaitSubscribed(subscriber);
					await().atMost(TIMEOUT).until(() -> publisher.getBean(MqttClientManager.class).isConnected());
					this.proxy.rejectNew(true);
					this.proxy.cutAll();
					await().atMost(TIMEOUT).until(() -> !manager.isConnected());
					MqttTemplate template = publisher.getBean(MqttTemplate.class);
					for (int i = 0; i < 10; i++) {
						template.newMessage("m" + i).topic(this.topic).qos(1).publishAsync().get(30, TimeUnit.SECONDS);
					}
					this.proxy.rejectNew(false);
					Recorder recorder = subscriber.getBean(TopicListener.class).recorder;
					// QoS 1 is at least once: a broker may deliver a message again on a resumed
					// session. Moquette 0.18.3 sometimes resends queued messages under new packet
					// identifiers while the first ones are in flight; the client then has to
					// disconnect ("QoS 1 PUBLISH must not be resent") and the next session
					// redelivers them. What must hold: every message arrives, nothing else does.
					await().atMost(TIMEOUT).until(() -> Set.copyOf(recorder.payloads()).size() >= 10);
					assertThat(manager.isSessionPresent()).as("session present after the cut").isTrue();
					assertThat(recorder.payloads()).containsOnly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8",
							"m9");
				}));
	}

	@Test
	void clientShouldReconnectAndResubscribeAfterABrokerRestart() {
		app(TopicListener.class).run((context) -> {
			MqttClientManager manager = ListenerContexts.awaitSubscribed(context);
			this.broker.restart();
			await().atMost(Duration.ofSeconds(60)).until(() -> manager.getReconnectCount() >= 1);
			ListenerContexts.awaitSubscribed(context);
			context.getBean(MqttTemplate.class)
				.newMessage("after-restart")
				.topic(this.topic)
				.qos(1)
				.publishAsync()
				.get(30, TimeUnit.SECONDS);
			Recorder recorder = context.getBean(TopicListener.class).recorder;
			await().atMost(TIMEOUT).until(() -> !recorder.messages.isEmpty());
			assertThat(recorder.payloads()).containsExactly("after-restart");
		});
	}

	@Test
	void inFlightCountsShouldReturnToZeroOnceTheBrokerAcknowledges() {
		app(TopicListener.class).withPropertyValues("mqtt.url=" + this.proxy.getUrl()).run((context) -> {
			MqttClientManager manager = ListenerContexts.awaitSubscribed(context);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			this.proxy.freeze();
			List<CompletableFuture<MqttPublishResult>> sent = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				sent.add(template.newMessage("m" + i).topic(this.topic).qos(1).publishAsync());
			}
			await().atMost(TIMEOUT).until(() -> manager.getInFlight().getOutgoingQos1() == 5);
			this.proxy.unfreeze();
			CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
			Recorder recorder = context.getBean(TopicListener.class).recorder;
			await().atMost(TIMEOUT).until(() -> recorder.messages.size() >= 5);
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(manager.getInFlight()).satisfies((inFlight) -> {
					assertThat(inFlight.getOutgoingQos1()).as("outgoing QoS 1").isZero();
					assertThat(inFlight.getIncomingQos1()).as("incoming QoS 1").isZero();
				}));
		});
	}

	@Test
	void requestsShouldEachGetTheReplyOfAListenerInAnotherApplication() {
		BrokerLimitation.skipIfLimited(this.brokerType, Feature.REQUEST_REPLY);
		app(Responder.class).run((responder) -> app(TopicListener.class)
			.withPropertyValues("mqtt.listener.auto-startup=false")
			.run((requester) -> {
				ListenerContexts.awaitSubscribed(responder);
				MqttTemplate template = requester.getBean(MqttTemplate.class);
				List<CompletableFuture<MqttReceivedMessage>> replies = new ArrayList<>();
				for (int i = 0; i < 50; i++) {
					replies.add(template.sendAndReceiveAsync(this.topic + "/rpc/" + (i % 4), "r" + i, TIMEOUT));
				}
				CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
				for (int i = 0; i < 50; i++) {
					assertThat(new String(replies.get(i).get().getPayload(), StandardCharsets.UTF_8))
						.as("reply to request %d", i)
						.isEqualTo("R" + i);
				}
				assertThat(requester.getBean(MqttClientManager.class).getReplyCorrelator().getUnknownReplyCount())
					.isZero();
			}));
	}

	private ApplicationContextRunner app(Class<?> listeners) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withUserConfiguration(listeners)
			.withPropertyValues("mqtt.url=" + this.broker.getUrl(), "mqtt.version=" + this.brokerType.mqttVersion(),
					"contract.topic=" + this.topic, "mqtt.reconnect.initial-delay=100ms",
					"mqtt.reconnect.max-delay=1s", "mqtt.shutdown-timeout=1s");
	}

	record Received(String listener, String topic, String payload, int qos, boolean retained) {
	}

	/**
	 * What listeners received, collected on their threads and asserted on the test thread.
	 */
	static final class Recorder {

		final List<Received> messages = new CopyOnWriteArrayList<>();

		void record(String listener, MqttReceivedMessage message) {
			this.messages.add(new Received(listener, message.getTopic(),
					new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(), message.isRetained()));
		}

		List<String> payloads() {
			return this.messages.stream().map(Received::payload).toList();
		}

		List<String> byListener(String listener) {
			return this.messages.stream().filter((received) -> received.listener().equals(listener))
				.map(Received::payload)
				.toList();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class QosListeners {

		final Recorder recorder = new Recorder();

		@MqttListener(topics = "${contract.topic}/sub0", qos = 0)
		void sub0(MqttReceivedMessage message) {
			this.recorder.record("sub0", message);
		}

		@MqttListener(topics = "${contract.topic}/sub1", qos = 1)
		void sub1(MqttReceivedMessage message) {
			this.recorder.record("sub1", message);
		}

		@MqttListener(topics = "${contract.topic}/sub2", qos = 2)
		void sub2(MqttReceivedMessage message) {
			this.recorder.record("sub2", message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Responder {

		@MqttListener(topics = "${contract.topic}/rpc/+", qos = 1, concurrency = "2")
		String onRequest(String payload) {
			return payload.toUpperCase(Locale.ROOT);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TopicListener {

		final Recorder recorder = new Recorder();

		@MqttListener(topics = "${contract.topic}", qos = 1)
		void onMessage(MqttReceivedMessage message) {
			this.recorder.record("topic", message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RetainedListener {

		final Recorder recorder = new Recorder();

		@MqttListener(topics = "${contract.topic}/retained", qos = 1)
		void onMessage(MqttReceivedMessage message) {
			this.recorder.record("retained", message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WillListener {

		final Recorder recorder = new Recorder();

		@MqttListener(topics = "${contract.topic}/will", qos = 1)
		void onMessage(MqttReceivedMessage message) {
			this.recorder.record("will", message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WildcardListeners {

		final Recorder recorder = new Recorder();

		@MqttListener(topics = "${contract.topic}/+/temp", qos = 1)
		void plus(MqttReceivedMessage message) {
			this.recorder.record("plus", message);
		}

		@MqttListener(topics = "${contract.topic}/#", qos = 1)
		void hash(MqttReceivedMessage message) {
			this.recorder.record("hash", message);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SharedListener {

		final Recorder recorder = new Recorder();

		@MqttListener(topics = "${contract.topic}/shared", group = "contract", qos = 1)
		void onMessage(MqttReceivedMessage message) {
			this.recorder.record("shared", message);
		}

	}

}
