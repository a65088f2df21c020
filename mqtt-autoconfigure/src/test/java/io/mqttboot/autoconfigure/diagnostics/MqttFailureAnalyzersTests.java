package io.mqttboot.autoconfigure.diagnostics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.autoconfigure.MqttEmbeddedBrokerAutoConfiguration;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for the MQTT failure analyzers: each startup failure, analyzed by the analyzers
 * Boot would load from {@code spring.factories} in the order Boot uses, yields a
 * description and an action that name the thing.
 */
@ExtendWith(OutputCaptureExtension.class)
class MqttFailureAnalyzersTests {

	private static final String PREFIX = "MqttFailureAnalyzersTests.";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttEmbeddedBrokerAutoConfiguration.class,
				MqttAutoConfiguration.class, SslAutoConfiguration.class))
		.withPropertyValues("mqtt.url=tcp://127.0.0.1:1", "mqtt.reconnect.initial-delay=1h",
				"mqtt.reconnect.max-delay=1h");

	@Test
	void urlWithUnsupportedSchemeShouldNameThePropertyButNotTheUrl() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withPropertyValues("mqtt.url=http://alice:s3cret@broker.example:1883"));
		assertThat(analysis.getDescription()).isEqualTo("The MQTT broker URL in 'mqtt.url' cannot be used:"
				+ " the scheme 'http' is not supported; use tcp:// (or mqtt://), ssl:// (or mqtts://), ws:// or wss://."
				+ " (The URL is not shown: it may contain a password.)");
		assertThat(analysis.getAction()).startsWith("Set mqtt.url to scheme://host[:port]");
		assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain("s3cret");
	}

	@Test
	void urlOfAnExtraClientWithoutHostShouldNameTheClientProperty() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withPropertyValues("mqtt.clients.telemetry.url=localhost:1883"));
		assertThat(analysis.getDescription()).startsWith("The MQTT broker URL in 'mqtt.clients.telemetry.url'"
				+ " cannot be used: expected scheme://host[:port] such as tcp://localhost:1883.");
		assertThat(analysis.getAction()).startsWith("Set mqtt.clients.telemetry.url to scheme://host[:port]");
	}

	@Test
	void embeddedBrokerOnATakenPortShouldSayThePortIsInUse() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			int port = taken.getLocalPort();
			FailureAnalysis analysis = analyzeStartupFailure(this.contextRunner.withPropertyValues(
					"mqtt.embedded.enabled=true", "mqtt.embedded.port=" + port));
			assertThat(analysis.getDescription()).isEqualTo(
					"The embedded MQTT broker could not listen on 127.0.0.1:" + port + ": the port is already in use.");
			assertThat(analysis.getAction()).isEqualTo("Stop the process that listens on port " + port
					+ ", or set mqtt.embedded.port to another port (0 picks a free one at startup).");
		}
	}

	@Test
	void embeddedBrokerWithoutMoquetteShouldFailInsteadOfConnectingToTheUrl() {
		FailureAnalysis analysis = analyzeStartupFailure(this.contextRunner
			.withClassLoader(new FilteredClassLoader("io.moquette"))
			.withPropertyValues("mqtt.embedded.enabled=true"));
		assertThat(analysis.getDescription()).isEqualTo(
				"mqtt.embedded.enabled is true, but the embedded MQTT broker (Moquette) is not on the class path.");
		assertThat(analysis.getAction()).startsWith("Add the dependency de.fraunhofer.iosb.io.moquette:moquette-broker")
			.endsWith("or remove mqtt.embedded.enabled to connect to mqtt.url.");
	}

	@Test
	void listenerWithInvalidTopicFilterShouldNameTheMethodAndTheRule() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withUserConfiguration(InvalidFilterListener.class));
		assertThat(analysis.getDescription()).isEqualTo("The @MqttListener on " + PREFIX
				+ "InvalidFilterListener.onReading"
				+ " is invalid: Invalid topic template 'sensors/#/temp': '#' must be the last level [MQTT-4.7.1-2]");
		assertThat(analysis.getAction())
			.startsWith("Correct the @MqttListener attributes of " + PREFIX + "InvalidFilterListener.onReading");
	}

	@Test
	void listenerWithUnboundTopicVariableShouldSayWhichParameterIsMissing() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withUserConfiguration(UnboundVariableListener.class));
		assertThat(analysis.getDescription()).isEqualTo("The @MqttListener on " + PREFIX
				+ "UnboundVariableListener.onReading"
				+ " is invalid: topic variable {room} has no matching parameter: add a parameter"
				+ " '@TopicVariable String room'");
		assertThat(analysis.getAction())
			.startsWith("Change the parameters of " + PREFIX + "UnboundVariableListener.onReading");
	}

	@Test
	void listenerOnUnknownClientShouldListTheConfiguredClients() {
		FailureAnalysis analysis = analyzeStartupFailure(this.contextRunner
			.withUserConfiguration(UnknownClientListener.class)
			.withPropertyValues("mqtt.clients.fleet.url=tcp://127.0.0.1:1"));
		assertThat(analysis.getDescription()).startsWith("The @MqttListener on " + PREFIX
				+ "UnknownClientListener.onReading"
				+ " is invalid: Listener '" + PREFIX
				+ "UnknownClientListener.onReading' refers to MQTT client 'telemetry'");
		assertThat(analysis.getAction()).isEqualTo("Set the client attribute of " + PREFIX
				+ "UnknownClientListener.onReading to"
				+ " one of the configured clients [default, fleet], or configure a client named 'telemetry'"
				+ " (mqtt.clients.telemetry.url).");
	}

	@Test
	void listenerWithUnknownErrorHandlerShouldNameTheBean() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withUserConfiguration(UnknownErrorHandlerListener.class));
		assertThat(analysis.getDescription())
			.startsWith("The @MqttListener on " + PREFIX + "UnknownErrorHandlerListener.onReading is invalid:")
			.contains("'myHandler'");
		assertThat(analysis.getAction()).isEqualTo("Define a bean of type MqttListenerErrorHandler named 'myHandler',"
				+ " or correct the errorHandler attribute of " + PREFIX + "UnknownErrorHandlerListener.onReading.");
	}

	@Test
	void listenersWithTheSameIdShouldBeToldToUseUniqueIds() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withUserConfiguration(DuplicateIdListeners.class));
		assertThat(analysis.getDescription()).contains("Another listener is already registered with id 'readings'");
		assertThat(analysis.getAction()).isEqualTo("Give every @MqttListener a unique id (the id attribute).");
	}

	@Test
	void failFastWithoutBrokerShouldNameTheBrokerAndTheWayOut() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		FailureAnalysis analysis = analyzeStartupFailure(this.contextRunner.withPropertyValues(
				"mqtt.url=tcp://127.0.0.1:" + closedPort, "mqtt.fail-fast=true", "mqtt.connect-timeout=2s"));
		assertThat(analysis.getDescription()).startsWith("MQTT client 'default' could not connect to tcp://127.0.0.1:"
				+ closedPort + ": ")
			.contains("Connection refused")
			.endsWith("mqtt.fail-fast is true, so the application does not start without its broker.");
		assertThat(analysis.getAction()).isEqualTo("Make sure a broker runs at tcp://127.0.0.1:" + closedPort
				+ " and accepts this client (mqtt.url, credentials, TLS), or set mqtt.fail-fast=false to start anyway"
				+ " and keep reconnecting in the background.");
	}

	@Test
	void missingSslBundleShouldNameTheProperty() {
		FailureAnalysis analysis = analyzeStartupFailure(
				this.contextRunner.withPropertyValues("mqtt.clients.secure.url=ssl://127.0.0.1:1",
						"mqtt.clients.secure.ssl.bundle=mqtt-ca"));
		assertThat(analysis.getDescription()).isEqualTo("mqtt.clients.secure.ssl.bundle names the SSL bundle"
				+ " 'mqtt-ca', but no such bundle is configured. No SSL bundle is configured.");
		assertThat(analysis.getAction()).isEqualTo("Configure the bundle under spring.ssl.bundle.pem.mqtt-ca.*"
				+ " (or spring.ssl.bundle.jks.mqtt-ca.*), or set mqtt.clients.secure.ssl.bundle to a configured bundle.");
	}

	@Test
	void springApplicationShouldPrintTheReport(CapturedOutput output) {
		SpringApplication application = new SpringApplication(InvalidUrlApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run("--mqtt.url=mqtt:/broker", "--spring.main.banner-mode=off"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Description:\n\nThe MQTT broker URL in 'mqtt.url' cannot be used: expected scheme://host[:port]"
					+ " such as tcp://localhost:1883. (The URL is not shown: it may contain a password.)")
			.contains("Action:\n\nSet mqtt.url to scheme://host[:port], for example tcp://localhost:1883,");
	}

	private static FailureAnalysis analyzeStartupFailure(ApplicationContextRunner runner) {
		Throwable[] failure = new Throwable[1];
		runner.run((context) -> failure[0] = context.getStartupFailure());
		assertThat(failure[0]).as("startup failure").isNotNull();
		FailureAnalysis analysis = analyze(failure[0]);
		assertThat(analysis).as("analysis of %s", failure[0]).isNotNull();
		return analysis;
	}

	/**
	 * Analyze as Boot does: every analyzer of {@code spring.factories}, in order, the first
	 * answer wins.
	 */
	private static FailureAnalysis analyze(Throwable failure) {
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, new MockEnvironment());
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(MqttFailureAnalyzersTests.class.getClassLoader())
			.load(FailureAnalyzer.class, arguments, FailureHandler.handleMessage((message, ex) -> {
			}));
		AnnotationAwareOrderComparator.sort(analyzers);
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis analysis = analyzer.analyze(failure);
			if (analysis != null) {
				return analysis;
			}
		}
		return null;
	}

	@Configuration(proxyBeanMethods = false)
	static class InvalidFilterListener {

		@MqttListener(topics = "sensors/#/temp")
		void onReading(String reading) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnboundVariableListener {

		@MqttListener(topics = "rooms/{room}/temp")
		void onReading(String reading) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownClientListener {

		@MqttListener(topics = "fleet/#", client = "telemetry")
		void onReading(String reading) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnknownErrorHandlerListener {

		@MqttListener(topics = "fleet/#", errorHandler = "myHandler")
		void onReading(String reading) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DuplicateIdListeners {

		@MqttListener(id = "readings", topics = "a/#")
		void onA(String reading) {
		}

		@MqttListener(id = "readings", topics = "b/#")
		void onB(String reading) {
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration(MqttAutoConfiguration.class)
	static class InvalidUrlApplication {

	}

}
