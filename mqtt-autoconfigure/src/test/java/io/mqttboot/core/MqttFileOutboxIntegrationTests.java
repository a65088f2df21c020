package io.mqttboot.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.mqttboot.RawMqttClient;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The file outbox ({@code mqtt.outbox.store=file}) in an application that is stopped and
 * started again against a real broker: the capacity bound, messages kept on stop,
 * publishes made while connected, named clients and the required directory. The kill -9
 * case is {@code OutboxCrashIntegrationTests}.
 */
class MqttFileOutboxIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	@TempDir
	Path directory;

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.reconnect.initial-delay=100ms", "mqtt.reconnect.max-delay=500ms");

	@AfterEach
	void closeAndRestoreBroker() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		if (!broker.get().isRunning()) {
			broker.get().start();
		}
	}

	private ApplicationContextRunner fileOutbox() {
		return this.contextRunner.withPropertyValues("mqtt.url=" + broker.get().getUrl(), "mqtt.outbox.store=file",
				"mqtt.outbox.directory=" + this.directory);
	}

	private RawMqttClient subscriber(String filter) {
		RawMqttClient raw = RawMqttClient.connect(broker.get().getHost(), broker.get().getPort()).subscribe(filter, 1);
		this.closeables.add(raw);
		return raw;
	}

	@Test
	void fullOutboxShouldRejectAndTheNextStartShouldPublishOnlyWhatWasAccepted() {
		broker.get().stop();
		List<CompletableFuture<MqttPublishResult>> accepted = new ArrayList<>();
		fileOutbox().withPropertyValues("mqtt.outbox.capacity=5").run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			for (int i = 0; i < 5; i++) {
				accepted.add(template.newMessage("m" + i).topic("bound/x").qos(1).publishAsync());
			}
			CompletableFuture<MqttPublishResult> rejected = template.newMessage("m5").topic("bound/x").qos(1)
				.publishAsync();
			assertThat(rejected).failsWithin(Duration.ZERO)
				.withThrowableThat()
				.withCauseInstanceOf(MqttOutboxFullException.class);
			assertThat(context.getBean(MqttClientManager.class).getOutboxSize()).isEqualTo(5);
		});
		assertThat(accepted).allSatisfy((future) -> assertThat(future).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.withMessageContaining("it is kept in outbox file '" + this.directory.resolve("default.outbox") + "'"));
		broker.get().start();
		RawMqttClient raw = subscriber("bound/#");
		fileOutbox().run((context) -> {
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(raw.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4"));
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(() -> manager.getOutboxSize() == 0 && manager.getInFlight().getOutgoingQos1() == 0);
		});
		assertThat(raw.payloads()).containsExactly("m0", "m1", "m2", "m3", "m4");
		assertThat(this.directory.resolve("default.outbox")).hasSize(8);
	}

	@Test
	void publishesMadeWhileConnectedShouldPassThroughTheFileAndLeaveItEmpty() {
		RawMqttClient raw = subscriber("connected/#");
		fileOutbox().run((context) -> {
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().until(manager::isConnected);
			MqttTemplate template = context.getBean(MqttTemplate.class);
			List<CompletableFuture<MqttPublishResult>> futures = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				futures.add(template.newMessage("c" + i).topic("connected/x").qos(1 + i % 2).publishAsync());
			}
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
			await().untilAsserted(() -> assertThat(raw.received()).hasSize(200));
			await().untilAsserted(() -> assertThat(this.directory.resolve("default.outbox")).hasSize(8));
		});
	}

	@Test
	void qos0MessagesShouldNotBeKeptAcrossAStop() {
		broker.get().stop();
		fileOutbox().run((context) -> {
			MqttTemplate template = context.getBean(MqttTemplate.class);
			template.newMessage("q0").topic("qos0/x").qos(0).publishAsync();
			template.newMessage("q1").topic("qos0/x").qos(1).publishAsync();
			assertThat(context.getBean(MqttClientManager.class).getOutboxSize()).isEqualTo(2);
		});
		broker.get().start();
		RawMqttClient raw = subscriber("qos0/#");
		fileOutbox().run((context) -> {
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(raw.payloads()).containsExactly("q1"));
		});
	}

	@Test
	void namedClientShouldKeepItsOutboxInAFileOfItsOwnName() {
		this.contextRunner
			.withPropertyValues("mqtt.url=" + broker.get().getUrl(), "mqtt.clients.other.url=" + broker.get().getUrl(),
					"mqtt.clients.other.outbox.store=file", "mqtt.clients.other.outbox.directory=" + this.directory)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(this.directory.resolve("other.outbox")).exists();
				assertThat(this.directory.resolve("default.outbox")).doesNotExist();
			});
	}

	@Test
	void fileStoreWithoutDirectoryShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.get().getUrl(), "mqtt.outbox.store=file")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("mqtt.outbox.store=file but no mqtt.outbox.directory"));
	}

	@Test
	void storeFileShouldNotBeWrittenByDefault() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.get().getUrl()).run((context) -> {
			assertThat(context.getBean(MqttClientManager.class).getSettings().getOutboxDirectory()).isNull();
			assertThat(Files.list(this.directory)).isEmpty();
		});
	}

}
