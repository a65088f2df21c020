package io.mqttboot.aottests;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application that {@code process-aot} processes at build time; the tests start it with
 * {@code -Dspring.aot.enabled=true}, so its bean definitions come from the generated code.
 */
@SpringBootApplication
public class AotSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(AotSampleApplication.class, args);
	}

}
