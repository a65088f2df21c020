package io.mqttboot.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Telemetry dashboard: simulated sensors publish readings to an embedded MQTT broker and
 * a web page at {@code http://localhost:8080/} shows them with the client's connection
 * state.
 *
 * @since 0.1.0
 */
@SpringBootApplication
@EnableScheduling
public class DemoApplication {

	/**
	 * Start the demo.
	 * @param args the command line arguments, for example {@code --mqtt.embedded.port=18830}
	 */
	public static void main(String[] args) {
		SpringApplication.run(DemoApplication.class, args);
	}

}
