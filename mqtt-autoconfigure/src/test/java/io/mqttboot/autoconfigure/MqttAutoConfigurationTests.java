package io.mqttboot.autoconfigure;

import java.net.URI;
import java.time.Duration;

import io.mqttboot.core.MqttClientCustomizer;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.MqttConnectionDetails;
import io.mqttboot.core.MqttOperations;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.core.MqttVersion;
import io.mqttboot.support.converter.DefaultMqttMessageConverter;
import io.mqttboot.support.converter.MqttMessageConverter;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link MqttAutoConfiguration}. The broker URL points at a closed port with a
 * long back-off: these tests are about wiring, not traffic.
 */
class MqttAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withPropertyValues("mqtt.url=tcp://127.0.0.1:1", "mqtt.reconnect.initial-delay=1h",
				"mqtt.reconnect.max-delay=1h");

	@Test
	void defaultsShouldCreateClientTemplateAndRegistry() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(MqttClientManager.class)
				.hasSingleBean(MqttTemplate.class)
				.hasSingleBean(MqttClientRegistry.class)
				.hasSingleBean(MqttConnectionDetails.class)
				.hasSingleBean(DefaultMqttMessageConverter.class);
			MqttClientSettings settings = context.getBean(MqttClientManager.class).getSettings();
			assertThat(settings.getVersion()).isEqualTo(MqttVersion.MQTT_5_0);
			assertThat(settings.getKeepAlive()).isEqualTo(Duration.ofSeconds(60));
			assertThat(settings.isCleanStart()).isTrue();
			assertThat(settings.getSessionExpiry()).isZero();
			assertThat(settings.getDefaultQos()).isEqualTo(1);
			assertThat(settings.getOutboxCapacity()).isEqualTo(10_000);
			assertThat(settings.isFailFast()).isFalse();
			assertThat(settings.getWill()).isNull();
			assertThat(settings.getClientId()).matches("mqtt-[0-9a-f]{8}");
		});
	}

	@Test
	void propertiesShouldBeBoundToClientSettings() {
		this.contextRunner.withPropertyValues("spring.application.name=dashboard", "mqtt.url=ssl://broker.example:8884",
				"mqtt.username=alice", "mqtt.password=secret", "mqtt.version=3", "mqtt.keep-alive=15",
				"mqtt.connect-timeout=3s", "mqtt.clean-start=false", "mqtt.session-expiry=1h",
				"mqtt.will.topic=status/dashboard", "mqtt.will.payload=offline", "mqtt.will.qos=1",
				"mqtt.will.retain=true", "mqtt.reconnect.initial-delay=2s", "mqtt.reconnect.max-delay=1m",
				"mqtt.fail-fast=false", "mqtt.publish.qos=2", "mqtt.publish.retain=true", "mqtt.publish.timeout=4s",
				"mqtt.outbox.capacity=50", "mqtt.shutdown-timeout=7s")
			.run((context) -> {
				MqttClientSettings settings = context.getBean(MqttClientManager.class).getSettings();
				assertThat(settings.getServerUri()).isEqualTo(URI.create("ssl://broker.example:8884"));
				assertThat(settings.isSecure()).isTrue();
				assertThat(settings.getClientId()).startsWith("dashboard-");
				assertThat(settings.getUsername()).isEqualTo("alice");
				assertThat(settings.getPassword()).isEqualTo("secret");
				assertThat(settings.getVersion()).isEqualTo(MqttVersion.MQTT_3_1_1);
				assertThat(settings.getKeepAlive()).isEqualTo(Duration.ofSeconds(15));
				assertThat(settings.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(settings.isCleanStart()).isFalse();
				assertThat(settings.isPersistentSession()).isTrue();
				assertThat(settings.getSessionExpiry()).isEqualTo(Duration.ofHours(1));
				assertThat(settings.getWill()).satisfies((will) -> {
					assertThat(will.topic()).isEqualTo("status/dashboard");
					assertThat(new String(will.payload())).isEqualTo("offline");
					assertThat(will.qos()).isEqualTo(1);
					assertThat(will.retain()).isTrue();
				});
				assertThat(settings.getReconnectInitialDelay()).isEqualTo(Duration.ofSeconds(2));
				assertThat(settings.getReconnectMaxDelay()).isEqualTo(Duration.ofMinutes(1));
				assertThat(settings.getDefaultQos()).isEqualTo(2);
				assertThat(settings.isDefaultRetain()).isTrue();
				assertThat(settings.getPublishTimeout()).isEqualTo(Duration.ofSeconds(4));
				assertThat(settings.getOutboxCapacity()).isEqualTo(50);
				assertThat(settings.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(7));
				assertThat(settings.toString()).doesNotContain("secret").doesNotContain("alice");
			});
	}

	@Test
	void clientIdPropertyShouldBeUsedAsIs() {
		this.contextRunner.withPropertyValues("mqtt.client-id=fixed-id")
			.run((context) -> assertThat(context.getBean(MqttClientManager.class).getClientId()).isEqualTo("fixed-id"));
	}

	@Test
	void userInfoInUrlShouldBecomeCredentialsAndBeStripped() {
		this.contextRunner.withPropertyValues("mqtt.url=tcp://bob:p%40ss@127.0.0.1:1").run((context) -> {
			MqttClientSettings settings = context.getBean(MqttClientManager.class).getSettings();
			assertThat(settings.getServerUri()).isEqualTo(URI.create("tcp://127.0.0.1:1"));
			assertThat(settings.getUsername()).isEqualTo("bob");
			assertThat(settings.getPassword()).isEqualTo("p@ss");
		});
	}

	@Test
	void invalidUrlShouldFailWithoutEchoingIt() {
		this.contextRunner.withPropertyValues("mqtt.url=tcp://bob:hunter2@@ bad host")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Invalid MQTT url")
				.satisfies((failure) -> assertThat(stackTrace(failure)).doesNotContain("hunter2")));
	}

	@Test
	void unsupportedSchemeShouldFail() {
		this.contextRunner.withPropertyValues("mqtt.url=http://127.0.0.1:1")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Invalid MQTT url (mqtt.url): the scheme 'http' is not supported"));
	}

	@Test
	void invalidVersionShouldFail() {
		this.contextRunner.withPropertyValues("mqtt.version=4")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("must be 5 (MQTT 5.0) or 3 (MQTT 3.1.1) but was 4"));
	}

	@Test
	void invalidWillQosShouldFail() {
		this.contextRunner.withPropertyValues("mqtt.will.topic=a", "mqtt.will.qos=3")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Will QoS must be 0, 1 or 2 but was 3"));
	}

	@Test
	void maxQosShouldBeBoundForTheDefaultAndEachNamedClient() {
		this.contextRunner
			.withPropertyValues("mqtt.publish.max-qos=1", "mqtt.clients.rabbit.url=tcp://127.0.0.1:2",
					"mqtt.clients.rabbit.publish.max-qos=0", "mqtt.clients.rabbit.reconnect.initial-delay=1h",
					"mqtt.clients.rabbit.reconnect.max-delay=1h", "mqtt.clients.other.url=tcp://127.0.0.1:3",
					"mqtt.clients.other.reconnect.initial-delay=1h", "mqtt.clients.other.reconnect.max-delay=1h")
			.run((context) -> {
				MqttClientRegistry registry = context.getBean(MqttClientRegistry.class);
				assertThat(registry.getClientManager("default").getSettings().getMaxQos()).isEqualTo(1);
				assertThat(registry.getClientManager("rabbit").getSettings().getMaxQos()).isZero();
				assertThat(registry.getClientManager("other").getSettings().getMaxQos()).isEqualTo(2);
			});
	}

	@Test
	void invalidMaxQosShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("mqtt.publish.max-qos=3")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("maximum QoS (mqtt.publish.max-qos) must be 0, 1 or 2 but was 3"));
	}

	@Test
	void namedClientsShouldBeRegisteredWithTheirOwnSettings() {
		this.contextRunner
			.withPropertyValues("spring.application.name=app", "mqtt.clients.telemetry.url=tcp://127.0.0.1:2",
					"mqtt.clients.telemetry.version=3", "mqtt.clients.telemetry.reconnect.initial-delay=1h",
					"mqtt.clients.telemetry.reconnect.max-delay=1h", "mqtt.clients.audit.url=tcp://127.0.0.1:3",
					"mqtt.clients.audit.client-id=audit-1", "mqtt.clients.audit.reconnect.initial-delay=1h",
					"mqtt.clients.audit.reconnect.max-delay=1h")
			.run((context) -> {
				MqttClientRegistry registry = context.getBean(MqttClientRegistry.class);
				assertThat(registry.getClientNames()).containsExactly("default", "telemetry", "audit");
				MqttClientSettings telemetry = registry.getClientManager("telemetry").getSettings();
				assertThat(telemetry.getServerUri().getPort()).isEqualTo(2);
				assertThat(telemetry.getVersion()).isEqualTo(MqttVersion.MQTT_3_1_1);
				assertThat(telemetry.getClientId()).startsWith("app-telemetry-");
				assertThat(registry.getClientManager("audit").getClientId()).isEqualTo("audit-1");
				assertThat(registry.getClientManager("audit").isRunning()).isTrue();
				assertThat(registry.getTemplate("default")).isSameAs(context.getBean(MqttTemplate.class));
			});
	}

	@Test
	void unknownNamedClientShouldFailWithTheKnownNames() {
		this.contextRunner.withPropertyValues("mqtt.clients.telemetry.url=tcp://127.0.0.1:2",
				"mqtt.clients.telemetry.reconnect.initial-delay=1h", "mqtt.clients.telemetry.reconnect.max-delay=1h")
			.run((context) -> assertThat(context.getBean(MqttClientRegistry.class))
				.satisfies((registry) -> org.assertj.core.api.Assertions
					.assertThatIllegalArgumentException()
					.isThrownBy(() -> registry.getTemplate("orders"))
					.withMessageContaining("'orders'")
					.withMessageContaining("[default, telemetry]")));
	}

	@Test
	void urlsShouldBecomeTheServerListOfTheirClient() {
		this.contextRunner
			.withPropertyValues("mqtt.url=tcp://localhost:1883", "mqtt.urls=tcp://127.0.0.1:5,tcp://127.0.0.1:6",
					"mqtt.clients.telemetry.urls[0]=tcp://127.0.0.1:7", "mqtt.clients.telemetry.urls[1]=tcp://127.0.0.1:8",
					"mqtt.clients.telemetry.reconnect.initial-delay=1h", "mqtt.clients.telemetry.reconnect.max-delay=1h")
			.run((context) -> {
				assertThat(context.getBean(MqttClientManager.class).getServerUris())
					.containsExactly(URI.create("tcp://127.0.0.1:5"), URI.create("tcp://127.0.0.1:6"));
				assertThat(context.getBean(MqttClientRegistry.class).getTemplate("telemetry").getClientManager()
					.getServerUris())
					.containsExactly(URI.create("tcp://127.0.0.1:7"), URI.create("tcp://127.0.0.1:8"));
			});
	}

	@Test
	void urlAndUrlsBothSetShouldFailNamingBoth() {
		this.contextRunner.withPropertyValues("mqtt.urls=tcp://127.0.0.1:5,tcp://127.0.0.1:6")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Invalid MQTT url (mqtt.urls): both mqtt.url and mqtt.urls are set"));
	}

	@Test
	void userDefinedConnectionDetailsShouldReplacePropertyBasedOnes() {
		this.contextRunner.withUserConfiguration(ConnectionDetailsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(MqttConnectionDetails.class)
				.doesNotHaveBean(PropertiesMqttConnectionDetails.class);
			assertThat(context.getBean(MqttClientManager.class).getServerUri())
				.isEqualTo(URI.create("tcp://127.0.0.1:4"));
		});
	}

	@Test
	void userDefinedBeansShouldMakeAutoConfigurationBackOff() {
		this.contextRunner.withUserConfiguration(UserBeansConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(MqttClientManager.class).hasSingleBean(MqttOperations.class);
			assertThat(context.getBean(MqttClientManager.class)).isSameAs(context.getBean("userManager"));
			assertThat(context.getBean(MqttOperations.class)).isSameAs(context.getBean("userTemplate"));
			assertThat(context.getBean(MqttMessageConverter.class)).isSameAs(context.getBean("userConverter"));
		});
	}

	@Test
	void customizersShouldBeApplied() {
		this.contextRunner.withUserConfiguration(CustomizerConfiguration.class)
			.run((context) -> assertThat(context.getBean(CustomizerConfiguration.class).calls).isEqualTo(1));
	}

	@Test
	void withoutJacksonShouldStillConvertBytesAndText() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("tools.jackson.databind"))
			.run((context) -> {
				MqttMessageConverter converter = context.getBean(MqttMessageConverter.class);
				assertThat(converter.toPayload("text")).isEqualTo("text".getBytes());
			});
	}

	@Test
	void withoutHiveMqClientShouldBackOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("com.hivemq.client"))
			.run((context) -> assertThat(context).doesNotHaveBean(MqttClientManager.class));
	}

	private static String stackTrace(Throwable failure) {
		java.io.StringWriter writer = new java.io.StringWriter();
		failure.printStackTrace(new java.io.PrintWriter(writer));
		return writer.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionDetailsConfiguration {

		@Bean
		MqttConnectionDetails customConnectionDetails() {
			return () -> URI.create("tcp://127.0.0.1:4");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeansConfiguration {

		@Bean
		MqttClientManager userManager() {
			return new MqttClientManager("default",
					MqttClientSettings.builder()
						.serverUri(URI.create("tcp://127.0.0.1:5"))
						.clientId("user")
						.reconnectInitialDelay(Duration.ofHours(1))
						.reconnectMaxDelay(Duration.ofHours(1))
						.build(),
					java.util.List.of(), null);
		}

		@Bean
		MqttOperations userTemplate(MqttClientManager userManager) {
			return new MqttTemplate(userManager, userConverter());
		}

		@Bean
		MqttMessageConverter userConverter() {
			return mock(MqttMessageConverter.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		int calls;

		@Bean
		MqttClientCustomizer countingCustomizer() {
			return (builder) -> this.calls++;
		}

	}

}
