package io.mqttboot.autoconfigure;

/**
 * Thrown when a configured broker URL cannot be used. The message names the property and
 * the problem but never the URL itself, which may carry a password in its user-info.
 *
 * @since 0.1.0
 */
public class InvalidMqttUrlException extends IllegalArgumentException {

	private final String property;

	private final String problem;

	/**
	 * Create a new exception.
	 * @param property the property that holds the URL, such as {@code mqtt.url}
	 * @param problem what is wrong with it, without the URL
	 */
	public InvalidMqttUrlException(String property, String problem) {
		super("Invalid MQTT url (" + property + "): " + problem);
		this.property = property;
		this.problem = problem;
	}

	/**
	 * Return the property that holds the URL.
	 * @return the property name, such as {@code mqtt.url}
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return what is wrong with the URL.
	 * @return the problem, without the URL
	 */
	public String getProblem() {
		return this.problem;
	}

}
