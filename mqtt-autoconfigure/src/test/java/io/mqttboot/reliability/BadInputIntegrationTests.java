package io.mqttboot.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttPublishException;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.support.converter.MqttMessageConversionException;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.handler.annotation.Header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The bad-input catalogue of {@code docs/reliability.md}: inputs an application gets wrong
 * or receives from others. Each must produce an error that names the input (topic,
 * listener, size, the offending value), and the application must keep running: its
 * connection stays up and the next good message is processed. Declarations that can never
 * work fail the startup instead, naming the class and method.
 * <p>
 * The runtime cases share one running application, started once for the class, against a
 * broker that accepts packets of at most 1,024 bytes; each case leaves it to the next.
 */
@ExtendWith({ OutputCaptureExtension.class, QuietBrokerLogExtension.class })
class BadInputIntegrationTests {

	private static final int BROKER_MAX_PACKET_SIZE = 1024;

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder()
		.maxPacketSize(BROKER_MAX_PACKET_SIZE)
		.build();

	private static ConfigurableApplicationContext application;

	private static Instant connectedSince;

	@BeforeAll
	static void startApplication() {
		application = new SpringApplicationBuilder(CatalogueApplication.class).web(WebApplicationType.NONE)
			.properties("mqtt.url=" + broker.getUrl(), "mqtt.reconnect.initial-delay=100ms",
					"mqtt.reconnect.max-delay=500ms", "mqtt.listener.retry.initial-interval=10ms",
					"spring.main.banner-mode=off")
			.run();
		connectedSince = Reliability.awaitSubscribed(application).getConnectedSince();
	}

	@AfterAll
	static void closeApplication() {
		if (application != null) {
			application.close();
		}
	}

	static Stream<Arguments> badMessages() {
		byte[] truncated = bytes("{\"room\": \"kitchen\", \"celsius\": ");
		byte[] array = bytes("[1, 2, 3]");
		byte[] wrongType = bytes("{\"room\": \"hall\", \"celsius\": \"warm\"}");
		byte[] invalidUtf8 = { 'o', 'k', (byte) 0xC3, 0x28 };
		return Stream.of(
				Arguments.of("malformed JSON to a POJO listener", "readings", "bad/pojo/1", truncated,
						List.of("Cannot read payload of " + truncated.length + " bytes as JSON " + Reading.class.getName(),
								"Unexpected end-of-input")),
				Arguments.of("JSON array to a POJO listener", "readings", "bad/pojo/2", array,
						List.of("Cannot read payload of " + array.length + " bytes as JSON " + Reading.class.getName(),
								"from Array value")),
				Arguments.of("JSON with a field of the wrong type", "readings", "bad/pojo/3", wrongType,
						List.of("Cannot read payload of " + wrongType.length + " bytes as JSON "
								+ Reading.class.getName(), "\"warm\"")),
				Arguments.of("empty payload to a POJO listener", "readings", "bad/pojo/4", new byte[0],
						List.of("onReading(" + Reading.class.getName() + ")", "Payload value must not be empty")),
				Arguments.of("invalid UTF-8 to a String listener", "texts", "bad/text/1", invalidUtf8,
						List.of("Cannot read payload of 4 bytes as a String: it is not valid UTF-8")),
				Arguments.of("missing header for a @Header parameter", "sites", "bad/header/1", bytes("no site"),
						List.of("Missing header 'site'")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badMessages")
	void badIncomingMessageShouldBeReportedNamingListenerAndTopicAndTheNextGoodMessageProcessed(String input,
			String listenerId, String topic, byte[] payload, List<String> details, CapturedOutput output) {
		MqttTemplate template = application.getBean(MqttTemplate.class);
		MqttListenerContainer container = application.getBean(MqttListenerEndpointRegistry.class)
			.getListenerContainer(listenerId);
		long failedBefore = container.getFailed();
		template.newMessage(payload).topic(topic).qos(1).publish();
		await().untilAsserted(() -> assertThat(output)
			.contains("Listener '" + listenerId + "' failed to process message from topic '" + topic + "'")
			.contains(details));
		assertThat(container.getFailed()).isEqualTo(failedBefore + 1);
		String good = goodPayload(listenerId, topic);
		template.newMessage(good).topic(topic).qos(1).userProperty("site", "berlin").publish();
		awaitProcessed(listenerId, good);
		assertStillRunning();
	}

	static Stream<Arguments> badPublishes() {
		return Stream.of(
				Arguments.of("'+' in a topic name", (BadPublish) (template) -> template.publish("bad/+/x", "x"),
						List.of("Invalid topic name 'bad/+/x'", "[MQTT-3.3.2-2]")),
				Arguments.of("'#' in a topic name",
						(BadPublish) (template) -> template.publishAsync("bad/#", "x"),
						List.of("Invalid topic name 'bad/#'", "[MQTT-3.3.2-2]")),
				Arguments.of("empty topic name", (BadPublish) (template) -> template.publish("", "x"),
						List.of("[MQTT-4.7.3-1]")),
				Arguments.of("topic name over 65,535 bytes",
						(BadPublish) (template) -> template.publish("t".repeat(65_536), "x"),
						List.of("65536", "[MQTT-4.7.3-3]")),
				Arguments.of("U+0000 in a topic name", (BadPublish) (template) -> template.publish("bad/\u0000", "x"),
						List.of("U+0000", "[MQTT-4.7.3-2]")),
				Arguments.of("unpaired surrogate in a topic name",
						(BadPublish) (template) -> template.publish("bad/\uD800", "x"), List.of("[MQTT-1.5.4-1]")),
				Arguments.of("negative QoS",
						(BadPublish) (template) -> template.newMessage("x").topic("bad/sink/q").qos(-1).publish(),
						List.of("QoS must be 0, 1 or 2 but was -1")),
				Arguments.of("QoS 3",
						(BadPublish) (template) -> template.newMessage("x").topic("bad/sink/q").qos(3).publish(),
						List.of("QoS must be 0, 1 or 2 but was 3")),
				Arguments.of("payload that cannot be written as JSON",
						(BadPublish) (template) -> template.publish("bad/sink/json", new Unwritable()),
						List.of("Cannot write payload of type " + Unwritable.class.getName() + " as JSON")),
				Arguments.of("payload over the broker's maximum packet size",
						(BadPublish) (template) -> template.newMessage(new byte[2000])
							.topic("bad/sink/big")
							.qos(1)
							.publishAsync(),
						List.of("'bad/sink/big'", "payload 2000 bytes", "maximum packet size",
								"maximum: " + BROKER_MAX_PACKET_SIZE)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badPublishes")
	void badPublishShouldFailNamingTheInputAndTheNextGoodMessageBeDelivered(String input, BadPublish publish,
			List<String> details) {
		MqttTemplate template = application.getBean(MqttTemplate.class);
		assertThatException().isThrownBy(() -> {
			Object result = publish.publish(template);
			if (result instanceof CompletableFuture<?> future) {
				try {
					future.get();
				}
				catch (ExecutionException ex) {
					throw (Exception) ex.getCause();
				}
			}
		})
			.isInstanceOfAny(IllegalArgumentException.class, MqttPublishException.class,
					MqttMessageConversionException.class)
			.satisfies((ex) -> assertThat(ex.getMessage()).contains(details));
		String good = goodPayload("sink", input);
		template.newMessage(good).topic("bad/sink/good").qos(1).publish();
		awaitProcessed("sink", good);
		assertStillRunning();
	}

	@Test
	void mqtt311PublishOverTheConfiguredMaximumPacketSizeShouldFailAndOneAtTheLimitBeDelivered() {
		// MQTT 3.1.1 brokers do not announce their limit: mqtt.publish.max-packet-size is the
		// only protection against a packet that makes mosquitto close the connection (and
		// HiveMQ resend it after every reconnect). The sizes must match mosquitto's count.
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.version=3",
					"mqtt.publish.max-packet-size=" + BROKER_MAX_PACKET_SIZE)
			.run((context) -> {
				MqttClientManager manager = Reliability.awaitConnected(context);
				Instant since = manager.getConnectedSince();
				MqttTemplate template = context.getBean(MqttTemplate.class);
				String topic = "bad/sink/limit";
				// 1 fixed header + 2 remaining length + 2 + 14 topic + 2 packet id + payload
				int largestPayload = BROKER_MAX_PACKET_SIZE - 1 - 2 - 2 - topic.length() - 2;
				CompletableFuture<MqttPublishResult> tooLarge = template.newMessage(new byte[largestPayload + 1])
					.topic(topic)
					.qos(1)
					.publishAsync();
				assertThat(tooLarge).failsWithin(Duration.ofSeconds(5))
					.withThrowableOfType(ExecutionException.class)
					.havingCause()
					.isInstanceOf(MqttPublishException.class)
					.withMessageContaining("'" + topic + "'")
					.withMessageContaining("payload " + (largestPayload + 1) + " bytes")
					.withMessageContaining("PUBLISH packet of " + (BROKER_MAX_PACKET_SIZE + 1) + " bytes")
					.withMessageContaining("mqtt.publish.max-packet-size");
				String marker = "at-the-limit";
				byte[] atTheLimit = new byte[largestPayload];
				System.arraycopy(bytes(marker), 0, atTheLimit, 0, marker.length());
				template.newMessage(atTheLimit).topic(topic).qos(1).publish();
				assertThat(manager.getConnectedSince()).as("mosquitto accepted the packet").isEqualTo(since);
				awaitProcessed("sink", new String(atTheLimit, StandardCharsets.UTF_8));
			});
	}

	static Stream<Arguments> badListeners() {
		return Stream.of(
				Arguments.of("invalid topic filter", BadFilterListener.class,
						List.of("Invalid @MqttListener on BadInputIntegrationTests.BadFilterListener.on",
								"Invalid topic template 'a/#/b': '#' must be the last level [MQTT-4.7.1-2]")),
				Arguments.of("unknown named client", UnknownClientListener.class,
						List.of("Invalid @MqttListener on BadInputIntegrationTests.UnknownClientListener.on", "MQTT client 'telemetry'",
								"the configured clients are [default]")),
				Arguments.of("QoS 3", Qos3Listener.class,
						List.of("Invalid @MqttListener on BadInputIntegrationTests.Qos3Listener.on", "qos must be 0, 1 or 2 but was 3")),
				Arguments.of("negative QoS", NegativeQosListener.class,
						List.of("Invalid @MqttListener on BadInputIntegrationTests.NegativeQosListener.on", "qos must be 0, 1 or 2 but was -1")),
				Arguments.of("two parameters that both want the payload", TwoPayloadsListener.class,
						List.of("Invalid @MqttListener on BadInputIntegrationTests.TwoPayloadsListener.on", "cannot all receive the payload")),
				Arguments.of("@TopicVariable that is not in the topic", UnknownVariableListener.class,
						List.of("Invalid @MqttListener on BadInputIntegrationTests.UnknownVariableListener.on", "'room'",
								"matches no {variable}")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badListeners")
	void badListenerDeclarationShouldFailTheStartupNamingMethodAndProblem(String input, Class<?> listener,
			List<String> details) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
			.withPropertyValues("mqtt.url=" + broker.getUrl())
			.withUserConfiguration(listener)
			.run((context) -> assertThat(context).getFailure()
				.satisfies((failure) -> assertThat(messages(failure)).contains(details)));
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

	private static void awaitProcessed(String listenerId, String payload) {
		CatalogueListeners listeners = application.getBean(CatalogueListeners.class);
		await().untilAsserted(() -> assertThat(listeners.processed(listenerId)).contains(payload));
	}

	private static void assertStillRunning() {
		MqttClientManager manager = application.getBean(MqttClientManager.class);
		assertThat(manager.isConnected()).isTrue();
		assertThat(manager.getConnectedSince()).as("same connection").isEqualTo(connectedSince);
		await().until(() -> manager.getInFlight().getIncomingQos1() == 0);
	}

	private static String goodPayload(String listenerId, String input) {
		String tag = "good-" + Integer.toHexString(input.hashCode());
		return "readings".equals(listenerId) ? "{\"room\": \"" + tag + "\", \"celsius\": 21.5}" : tag;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A publish that must fail; returns what the template returned (a future or a result).
	 */
	@FunctionalInterface
	interface BadPublish {

		Object publish(MqttTemplate template) throws Exception;

	}

	record Reading(String room, double celsius) {
	}

	/**
	 * Jackson cannot write it: its only property throws.
	 */
	static class Unwritable {

		public String getValue() {
			throw new IllegalStateException("no value");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ MqttAutoConfiguration.class, JacksonAutoConfiguration.class })
	@Import(CatalogueListeners.class)
	static class CatalogueApplication {

	}

	@Configuration(proxyBeanMethods = false)
	static class CatalogueListeners {

		private final Map<String, Set<String>> processed = new ConcurrentHashMap<>();

		Set<String> processed(String listenerId) {
			return this.processed.computeIfAbsent(listenerId, (id) -> ConcurrentHashMap.newKeySet());
		}

		@MqttListener(id = "readings", topics = "bad/pojo/+", qos = 1)
		void onReading(Reading reading) {
			processed("readings").add("{\"room\": \"" + reading.room() + "\", \"celsius\": " + reading.celsius() + "}");
		}

		@MqttListener(id = "texts", topics = "bad/text/+", qos = 1)
		void onText(String text) {
			processed("texts").add(text);
		}

		@MqttListener(id = "sites", topics = "bad/header/+", qos = 1)
		void onSite(@Header("site") String site, String payload) {
			processed("sites").add(payload);
		}

		@MqttListener(id = "sink", topics = "bad/sink/#", qos = 1)
		void onSink(String payload) {
			processed("sink").add(payload);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadFilterListener {

		@MqttListener("a/#/b")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownClientListener {

		@MqttListener(topics = "a/b", client = "telemetry")
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Qos3Listener {

		@MqttListener(topics = "a/b", qos = 3)
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NegativeQosListener {

		@MqttListener(topics = "a/b", qos = -1)
		void on(String payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoPayloadsListener {

		@MqttListener("a/b")
		void on(String payload, byte[] alsoPayload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownVariableListener {

		@MqttListener("sensors/{device}/temp")
		void on(@TopicVariable String device, @TopicVariable String room, String payload) {
		}

	}

}
