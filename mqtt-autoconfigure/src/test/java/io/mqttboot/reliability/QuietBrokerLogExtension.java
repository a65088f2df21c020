package io.mqttboot.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Keeps the copy of mosquitto's log ({@code log_type all}, several lines per message) and
 * the fault proxy's debug lines off the console while a class streams thousands of
 * messages; the broker keeps its full log for {@code getLog()}.
 */
class QuietBrokerLogExtension implements BeforeAllCallback, AfterAllCallback {

	private static final String LOGGER = "io.mqttboot.test";

	private Level previous;

	@Override
	public void beforeAll(ExtensionContext context) {
		Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
		this.previous = logger.getLevel();
		logger.setLevel(Level.INFO);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		((Logger) LoggerFactory.getLogger(LOGGER)).setLevel(this.previous);
	}

}
