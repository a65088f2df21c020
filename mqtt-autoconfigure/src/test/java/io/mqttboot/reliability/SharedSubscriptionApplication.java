package io.mqttboot.reliability;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.mqttboot.ListenerContexts;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The application that {@link SharedSubscriptionKillIntegrationTests} runs two or three
 * times, each in a JVM of its own, and kills or stops: one {@code @MqttListener} with
 * {@code group = "${scale.group}"} on {@code ${scale.topic}/+} at QoS 1 that takes
 * {@code scale.work-millis} per message and then prints {@code GOT <payload>} to standard
 * error (before the acknowledgement, which follows the return of the method). Standard error,
 * because the test sends it to a file: lines written to the standard output pipe just before
 * the JVM exits can be lost to the parent (2 of 807 in one graceful stop). Prints {@code READY} once the
 * broker granted the subscription. The arguments are Spring Boot properties
 * ({@code --mqtt.url=...}, {@code --scale.topic=...}, ...).
 */
@SpringBootConfiguration
@ImportAutoConfiguration({ MqttAutoConfiguration.class, JacksonAutoConfiguration.class })
public class SharedSubscriptionApplication {

	@Bean
	GroupMember groupMember(@Value("${scale.work-millis:0}") long workMillis) {
		return new GroupMember(workMillis);
	}

	public static void main(String[] args) throws Exception {
		SpringApplication application = new SpringApplication(SharedSubscriptionApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
		application.setDefaultProperties(java.util.Map.of("spring.docker.compose.enabled", "false",
				"logging.level.root", "WARN", "logging.level.io.mqttboot", "INFO", "mqtt.reconnect.initial-delay",
				"100ms", "mqtt.reconnect.max-delay", "500ms"));
		ConfigurableApplicationContext context = application.run(args);
		ListenerContexts.awaitSubscribed(context.getBean(MqttClientManager.class), Duration.ofSeconds(30));
		System.out.println("READY");
		new CountDownLatch(1).await();
	}

	/**
	 * The member of the share group.
	 */
	static class GroupMember {

		private final long workMillis;

		GroupMember(long workMillis) {
			this.workMillis = workMillis;
		}

		@MqttListener(id = "member", topics = "${scale.topic}/+", group = "${scale.group}", qos = 1,
				concurrency = "1")
		void onMessage(String payload) throws InterruptedException {
			if (this.workMillis > 0) {
				Thread.sleep(this.workMillis);
			}
			System.err.println("GOT " + payload);
		}

	}

}
