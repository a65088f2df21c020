package com.example.thermostat;

import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The getting-started application against a real broker that is killed and restarted, as
 * docs/index.md section 12 shows it, with the connection and delivery events of docs/paho.md.
 */
@SpringBootTest(classes = ThermostatApplication.class, properties = "mqtt.publish.delivery-events=true")
@ExtendWith(OutputCaptureExtension.class)
class ThermostatBrokerRestartIntegrationTests {

	@RegisterExtension
	static MqttBrokerExtension broker = MqttBrokerExtension.builder().persistence(true).build();

	@DynamicPropertySource
	static void mqttProperties(DynamicPropertyRegistry registry) {
		registry.add("mqtt.url", broker::getUrl);
	}

	@Autowired
	MqttTemplate mqttTemplate;

	@Test
	void thermostatShouldReceiveAgainAfterABrokerRestart(CapturedOutput output) {
		await().untilAsserted(() -> assertThat(output).contains("27.5 °C in the kitchen"));
		broker.get().kill();     // SIGKILL; stop() sends SIGTERM
		broker.get().start();    // same port
		// Waits in the outbox until the client is connected again; retained, so the listener gets
		// it however its subscription and this publish race after the reconnect.
		this.mqttTemplate.newMessage(new Reading(19.5)).topic("sensors/hall/temp").qos(1).retain(true).publish();
		await().untilAsserted(() -> assertThat(output).contains("19.5 °C in the hall (from sensors/hall/temp)"));
		assertThat(output).contains("MQTT client 'default' lost its connection: ",
				"MQTT client 'default' connected (reconnect: true, session present: ",
				"Broker acknowledged the message to sensors/hall/temp at QoS 1");
	}

}
