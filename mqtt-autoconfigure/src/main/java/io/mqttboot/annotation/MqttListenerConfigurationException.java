package io.mqttboot.annotation;

import org.springframework.beans.factory.BeanInitializationException;

/**
 * Thrown on startup when an {@link MqttListener @MqttListener} cannot work as declared: an
 * invalid topic filter, QoS or attribute, parameters that do not fit the topics, an
 * unknown client or error handler. The message names the class, the method and the rule.
 *
 * @since 0.1.0
 */
public class MqttListenerConfigurationException extends BeanInitializationException {

	private final String listener;

	private final String problem;

	private final String action;

	/**
	 * Create a new exception.
	 * @param listener the annotated method, as {@code SimpleClassName.method}
	 * @param problem what is wrong, naming the rule
	 * @param action what to do about it
	 * @param cause the failure that revealed the problem
	 */
	public MqttListenerConfigurationException(String listener, String problem, String action, Throwable cause) {
		super("Invalid @MqttListener on " + listener + ": " + problem, cause);
		this.listener = listener;
		this.problem = problem;
		this.action = action;
	}

	/**
	 * Return the annotated method.
	 * @return the method, as {@code SimpleClassName.method}
	 */
	public String getListener() {
		return this.listener;
	}

	/**
	 * Return what is wrong with the listener.
	 * @return the problem, naming the rule
	 */
	public String getProblem() {
		return this.problem;
	}

	/**
	 * Return what to do about it.
	 * @return the suggested action
	 */
	public String getAction() {
		return this.action;
	}

}
