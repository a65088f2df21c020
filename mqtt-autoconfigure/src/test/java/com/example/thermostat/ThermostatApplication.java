package com.example.thermostat;

import io.mqttboot.core.MqttTemplate;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The getting-started application of README.md and docs/index.md section 1, as a user writes
 * it; {@link GettingStartedIntegrationTests} runs it on the embedded broker.
 */
@SpringBootApplication
public class ThermostatApplication {

	public static void main(String[] args) {
		SpringApplication.run(ThermostatApplication.class, args);
	}

	@Bean
	ApplicationRunner publishReading(MqttTemplate mqttTemplate) {
		// Retained: the broker keeps it for the listener, whether it subscribes before or after.
		return (args) -> mqttTemplate.newMessage(new Reading(27.5))
			.topic("sensors/kitchen/temp")
			.qos(1)
			.retain(true)
			.publish();
	}

}
