package io.mqttboot.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * All managed clients of the application by name, with a template for each. The primary
 * client is named {@value #DEFAULT_CLIENT}; extra clients come from
 * {@code mqtt.clients.<name>.*}, each with its own connection.
 * <p>
 * The registry starts and stops the extra clients; the default client is a bean of its
 * own.
 *
 * @since 0.1.0
 */
public class MqttClientRegistry implements SmartLifecycle, DisposableBean {

	/**
	 * The name of the primary client configured with {@code mqtt.*}.
	 */
	public static final String DEFAULT_CLIENT = "default";

	private final Map<String, MqttTemplate> templates;

	private final Map<String, MqttTemplate> extraTemplates;

	private volatile boolean running;

	/**
	 * Create a registry.
	 * @param defaultTemplate the template of the default client
	 * @param extraTemplates the templates of the extra clients by name; the registry owns
	 * their lifecycle
	 */
	public MqttClientRegistry(MqttTemplate defaultTemplate, Map<String, MqttTemplate> extraTemplates) {
		Assert.isTrue(!extraTemplates.containsKey(DEFAULT_CLIENT),
				"'" + DEFAULT_CLIENT + "' is reserved for the client configured with mqtt.*");
		Map<String, MqttTemplate> all = new LinkedHashMap<>();
		all.put(DEFAULT_CLIENT, defaultTemplate);
		all.putAll(extraTemplates);
		this.templates = Collections.unmodifiableMap(all);
		this.extraTemplates = Map.copyOf(extraTemplates);
	}

	@Override
	public void start() {
		this.extraTemplates.values().forEach((template) -> template.getClientManager().start());
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.extraTemplates.values().forEach((template) -> template.getClientManager().stop());
	}

	@Override
	public void destroy() {
		this.extraTemplates.values().forEach((template) -> template.getClientManager().destroy());
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return MqttClientManager.PHASE;
	}

	/**
	 * Return the names of all clients.
	 * @return the client names, the default client first
	 */
	public Collection<String> getClientNames() {
		return this.templates.keySet();
	}

	/**
	 * Return the template of a client.
	 * @param name the client name
	 * @return the template
	 * @throws IllegalArgumentException if no client has that name
	 */
	public MqttTemplate getTemplate(String name) {
		MqttTemplate template = this.templates.get(name);
		Assert.isTrue(template != null, () -> "No MQTT client named '" + name + "'; configured clients: "
				+ this.templates.keySet() + " (extra clients are configured under mqtt.clients.<name>.*)");
		return template;
	}

	/**
	 * Return the manager of a client.
	 * @param name the client name
	 * @return the client manager
	 * @throws IllegalArgumentException if no client has that name
	 */
	public MqttClientManager getClientManager(String name) {
		return getTemplate(name).getClientManager();
	}

	/**
	 * Return whether a client with this name exists.
	 * @param name the client name
	 * @return {@code true} if it exists
	 */
	public boolean containsClient(String name) {
		return this.templates.containsKey(name);
	}

}
