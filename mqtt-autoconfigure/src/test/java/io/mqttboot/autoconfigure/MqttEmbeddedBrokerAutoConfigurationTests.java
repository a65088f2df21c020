package io.mqttboot.autoconfigure;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.junit.jupiter.api.Test;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttConnectionDetails;
import io.mqttboot.core.MqttPublishResult;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.embedded.MqttEmbeddedBroker;
import io.mqttboot.embedded.MqttEmbeddedBrokerUnavailableException;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link MqttEmbeddedBrokerAutoConfiguration}.
 */
class MqttEmbeddedBrokerAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(MqttEmbeddedBrokerAutoConfiguration.class, MqttAutoConfiguration.class));

	@Test
	void brokerShouldBeDisabledByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(MqttEmbeddedBroker.class);
			assertThat(context).getBean(MqttConnectionDetails.class).isInstanceOf(PropertiesMqttConnectionDetails.class);
		});
	}

	@Test
	void brokerWithoutMoquetteShouldFailTheStartupInsteadOfConnectingToTheUrl() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.moquette"))
			.withPropertyValues("mqtt.embedded.enabled=true", "mqtt.embedded.port=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(MqttEmbeddedBrokerUnavailableException.class)
				.hasMessage("mqtt.embedded.enabled is true, but the embedded broker (Moquette,"
						+ " de.fraunhofer.iosb.io.moquette:moquette-broker) is not on the class path"));
	}

	@Test
	void brokerWithoutMoquetteShouldNotMatterWhenDisabled() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.moquette"))
			.withPropertyValues("mqtt.embedded.port=0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(MqttEmbeddedBroker.class);
				assertThat(context).getBean(MqttConnectionDetails.class)
					.isInstanceOf(PropertiesMqttConnectionDetails.class);
			});
	}

	@Test
	void brokerWithoutMqttClientShouldStartWithTheContext() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("com.hivemq"))
			.withPropertyValues("mqtt.embedded.enabled=true", "mqtt.embedded.host=localhost", "mqtt.embedded.port=0")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(MqttClientManager.class);
				MqttEmbeddedBrokerProperties properties = context.getBean(MqttEmbeddedBrokerProperties.class);
				assertThat(properties.isEnabled()).isTrue();
				assertThat(properties.getHost()).isEqualTo("localhost");
				assertThat(properties.getPort()).isZero();
				MqttEmbeddedBroker broker = context.getBean(MqttEmbeddedBroker.class);
				assertThat(broker.isRunning()).isTrue();
				assertThat(broker.getUrl()).startsWith("tcp://localhost:");
			});
	}

	@Test
	void propertiesShouldHaveLoopbackDefaults() {
		MqttEmbeddedBrokerProperties properties = new MqttEmbeddedBrokerProperties();
		assertThat(properties.isEnabled()).isFalse();
		assertThat(properties.getHost()).isEqualTo("127.0.0.1");
		assertThat(properties.getPort()).isEqualTo(1883);
	}

	@Test
	void defaultClientWithRandomPortShouldConnectToTheEmbeddedBroker() {
		this.contextRunner.withPropertyValues("mqtt.embedded.enabled=true", "mqtt.embedded.port=0",
				"mqtt.url=tcp://unreachable.invalid:1883")
			.run((context) -> {
				MqttEmbeddedBroker broker = context.getBean(MqttEmbeddedBroker.class);
				assertThat(broker.isRunning()).isTrue();
				assertThat(broker.getPort()).isPositive();
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				assertThat(manager.getServerUri()).isEqualTo(URI.create(broker.getUrl()));
				await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
			});
	}

	@Test
	void templateShouldPublishToTheEmbeddedBroker() {
		this.contextRunner.withPropertyValues("mqtt.embedded.enabled=true", "mqtt.embedded.port=0").run((context) -> {
			MqttEmbeddedBroker broker = context.getBean(MqttEmbeddedBroker.class);
			Mqtt5AsyncClient subscriber = Mqtt5Client.builder()
				.identifier("subscriber-" + UUID.randomUUID())
				.serverHost("127.0.0.1")
				.serverPort(broker.getPort())
				.buildAsync();
			subscriber.connect().join();
			try {
				List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
				subscriber.subscribeWith()
					.topicFilter("sensors/+/temperature")
					.qos(MqttQos.AT_LEAST_ONCE)
					.callback(received::add)
					.send()
					.join();
				MqttPublishResult result = context.getBean(MqttTemplate.class)
					.newMessage("21.5")
					.topic("sensors/d1/temperature")
					.qos(1)
					.publish();
				assertThat(result.qos()).isEqualTo(1);
				assertThat(result.reasonCode()).isZero();
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).singleElement()
					.satisfies((publish) -> {
						assertThat(publish.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
						assertThat(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("21.5");
					}));
			}
			finally {
				subscriber.disconnect().join();
			}
		});
	}

	@Test
	void brokerShouldStopWithTheContext() {
		this.contextRunner.withPropertyValues("mqtt.embedded.enabled=true", "mqtt.embedded.port=0").run((context) -> {
			MqttEmbeddedBroker broker = context.getBean(MqttEmbeddedBroker.class);
			MqttClientManager manager = context.getBean(MqttClientManager.class);
			await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
			context.close();
			assertThat(broker.isRunning()).isFalse();
		});
	}

	@Test
	void userDefinedConnectionDetailsShouldWin() {
		this.contextRunner.withPropertyValues("mqtt.embedded.enabled=true", "mqtt.embedded.port=0")
			.withUserConfiguration(CustomConnectionDetailsConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(MqttConnectionDetails.class);
				assertThat(context.getBean(MqttConnectionDetails.class).getServerUri())
					.isEqualTo(URI.create("tcp://custom.invalid:1883"));
				assertThat(context.getBean(MqttEmbeddedBroker.class).isRunning()).isTrue();
			});
	}

	@Test
	void userDefinedBrokerShouldWin() {
		this.contextRunner.withPropertyValues("mqtt.embedded.enabled=true")
			.withBean(MqttEmbeddedBroker.class, () -> new MqttEmbeddedBroker("127.0.0.1", 0))
			.run((context) -> {
				MqttEmbeddedBroker broker = context.getBean(MqttEmbeddedBroker.class);
				assertThat(broker.getPort()).isNotEqualTo(1883);
				MqttClientManager manager = context.getBean(MqttClientManager.class);
				assertThat(manager.getServerUri()).isEqualTo(URI.create(broker.getUrl()));
				await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomConnectionDetailsConfiguration {

		@Bean
		MqttConnectionDetails customConnectionDetails() {
			return () -> URI.create("tcp://custom.invalid:1883");
		}

	}

}
