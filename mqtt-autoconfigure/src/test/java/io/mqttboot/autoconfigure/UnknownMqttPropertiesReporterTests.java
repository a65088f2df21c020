package io.mqttboot.autoconfigure;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.mqttboot.core.MqttClientManager;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link UnknownMqttPropertiesReporter}: a misspelt {@code mqtt.*} key is named
 * at startup with the nearest known key, and known keys in any relaxed form are not.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownMqttPropertiesReporterTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MqttEmbeddedBrokerAutoConfiguration.class, MqttAutoConfiguration.class))
		.withPropertyValues("mqtt.url=tcp://127.0.0.1:1", "mqtt.reconnect.initial-delay=1h",
				"mqtt.reconnect.max-delay=1h");

	@Test
	void misspeltKeysShouldBeReportedWithTheNearestKnownKey(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.fail-fst=true", "mqtt.clients.telemetry.url=tcp://127.0.0.1:1",
					"mqtt.clients.telemetry.vresion=3", "mqtt.listener.retry.max-atempts=5", "mqtt.embeded.port=0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("Unknown MQTT property 'mqtt.fail-fst'")
					.contains("did you mean 'mqtt.fail-fast'?")
					.contains("Unknown MQTT property 'mqtt.clients.telemetry.vresion'")
					.contains("did you mean 'mqtt.clients.telemetry.version'?")
					.contains("did you mean 'mqtt.listener.retry.max-attempts'?")
					.contains("did you mean 'mqtt.embedded.port'?");
			});
	}

	@Test
	void springApplicationShouldNameTheFileAndLineOfAMisspeltKey(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MisspeltKeysApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off",
				"--spring.config.location=classpath:io/mqttboot/autoconfigure/misspelt-keys.properties")) {
			assertThat(output).contains("WARN").contains("Unknown MQTT property 'mqtt.fail-fst' (class path resource"
					+ " [io/mqttboot/autoconfigure/misspelt-keys.properties] - 4:15) is ignored; did you mean"
					+ " 'mqtt.fail-fast'?");
		}
	}

	@Test
	void keysFarFromAnyKnownKeyShouldStillBeReported(CapturedOutput output) {
		this.contextRunner.withPropertyValues("mqtt.broker-address=tcp://127.0.0.1:1")
			.run((context) -> assertThat(output).contains(
					"Unknown MQTT property 'mqtt.broker-address' (\"mqtt.broker-address\" from property source"
							+ " \"test\") is ignored; see the configuration reference"));
	}

	@Test
	void knownKeysInRelaxedFormsShouldBindAndNotBeReported(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.keepalive=15", "mqtt.connectTimeout=3s", "mqtt.session_expiry=60",
					"mqtt.clients.fleet.url=tcp://127.0.0.1:1", "mqtt.clients.fleet.will.topic=status",
					"mqtt.embedded.port=0", "mqtt.listener.dead-letter.topic-prefix=dead/")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(MqttClientManager.class).getSettings().getKeepAlive())
					.isEqualTo(Duration.ofSeconds(15));
				assertThat(output).doesNotContain("Unknown MQTT property");
			});
	}

	@Test
	void serverListInIndexedFormShouldBindAndNotBeReported(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("mqtt.url=tcp://localhost:1883", "mqtt.urls[0]=tcp://127.0.0.1:1",
					"mqtt.urls[1]=tcp://127.0.0.1:2")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(MqttClientManager.class).getServerUris())
					.containsExactly(URI.create("tcp://127.0.0.1:1"), URI.create("tcp://127.0.0.1:2"));
				assertThat(output).doesNotContain("Unknown MQTT property");
			});
	}

	@Test
	void keysOfOtherPropertyClassesUnderMqttShouldBeKnown(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(DashboardPropertiesConfiguration.class)
			.withPropertyValues("mqtt.dashboard.alert-topic=alerts", "mqtt.dashboard.alert-topik=alerts")
			.run((context) -> assertThat(output).doesNotContain("Unknown MQTT property 'mqtt.dashboard.alert-topic'")
				.contains("Unknown MQTT property 'mqtt.dashboard.alert-topik'")
				.contains("did you mean 'mqtt.dashboard.alert-topic'?"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(DashboardProperties.class)
	static class DashboardPropertiesConfiguration {

	}

	@ConfigurationProperties("mqtt.dashboard")
	static class DashboardProperties {

		private String alertTopic = "alerts";

		public String getAlertTopic() {
			return this.alertTopic;
		}

		public void setAlertTopic(String alertTopic) {
			this.alertTopic = alertTopic;
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration(MqttAutoConfiguration.class)
	static class MisspeltKeysApplication {

	}

}
