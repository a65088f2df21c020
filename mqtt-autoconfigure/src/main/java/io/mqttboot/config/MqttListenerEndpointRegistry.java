package io.mqttboot.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.listener.ConcurrentMqttListenerContainer;
import io.mqttboot.listener.MqttListenerContainer;
import io.mqttboot.listener.MqttMessageDispatcher;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Creates, holds and runs the listener containers of the application, one dispatcher per
 * client. Use it to list listeners and to stop and start them by id at runtime; stopping a
 * listener unsubscribes the topic filters no other running listener needs. Listeners can
 * also be registered and unregistered at runtime (see {@link SimpleMqttListenerEndpoint}):
 * the client's subscriptions follow.
 *
 * @since 0.1.0
 */
public class MqttListenerEndpointRegistry
		implements SmartLifecycle, DisposableBean, ApplicationEventPublisherAware, BeanFactoryAware {

	/**
	 * The lifecycle phase of the registry: after the clients start, before they stop.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1000;

	private final MqttClientRegistry clients;

	private final Map<String, ConcurrentMqttListenerContainer> containers = Collections
		.synchronizedMap(new LinkedHashMap<>());

	private final Map<String, MqttMessageDispatcher> dispatchers = Collections.synchronizedMap(new LinkedHashMap<>());

	private volatile boolean running;

	private @Nullable BeanFactory beanFactory;

	private @Nullable ApplicationEventPublisher eventPublisher;

	/**
	 * Create a registry.
	 * @param clients the clients listeners receive from
	 */
	public MqttListenerEndpointRegistry(MqttClientRegistry clients) {
		this.clients = clients;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
	}

	/**
	 * Create a container for an endpoint with the default container factory and register
	 * it. At runtime, with {@code startImmediately}, the container starts and its topics
	 * are subscribed (or on the next connection, when the client is disconnected).
	 * @param endpoint the endpoint
	 * @param startImmediately whether to start it now if the registry is already running
	 * (and the container starts automatically)
	 * @return the container
	 * @throws IllegalArgumentException if the id is taken or the client does not exist
	 * @see #getDefaultContainerFactory()
	 */
	public MqttListenerContainer registerListenerContainer(MqttListenerEndpoint endpoint, boolean startImmediately) {
		return registerListenerContainer(endpoint, getDefaultContainerFactory(), startImmediately);
	}

	/**
	 * Stop the container of a listener and remove it: the topic filters no other listener
	 * needs are unsubscribed at the broker, and later messages on them are no longer
	 * delivered to this listener. Messages the container already holds are processed first
	 * (up to the shutdown timeout). The id can be registered again afterwards.
	 * @param id the listener id
	 * @return the removed container, or {@code null} if no listener has that id
	 */
	public @Nullable MqttListenerContainer unregisterListenerContainer(String id) {
		ConcurrentMqttListenerContainer container = this.containers.get(id);
		if (container == null) {
			return null;
		}
		container.stop();
		MqttMessageDispatcher dispatcher = this.dispatchers.get(container.getClientName());
		if (dispatcher != null) {
			dispatcher.removeContainer(container);
		}
		this.containers.remove(id, container);
		return container;
	}

	/**
	 * Return the container factory bean with the given name.
	 * @param name the bean name
	 * @return the factory
	 * @throws IllegalArgumentException if there is no {@link MqttListenerContainerFactory}
	 * bean with that name
	 */
	public MqttListenerContainerFactory getContainerFactory(String name) {
		BeanFactory beanFactory = this.beanFactory;
		try {
			if (beanFactory != null) {
				return beanFactory.getBean(name, MqttListenerContainerFactory.class);
			}
		}
		catch (NoSuchBeanDefinitionException ex) {
			// Reported below, naming the factory.
		}
		throw new IllegalArgumentException("No MqttListenerContainerFactory bean named '" + name
				+ "' (containerFactory); the container factories are " + containerFactoryNames());
	}

	private List<String> containerFactoryNames() {
		if (this.beanFactory instanceof ListableBeanFactory listable) {
			return List.of(listable.getBeanNamesForType(MqttListenerContainerFactory.class));
		}
		return List.of();
	}

	/**
	 * Return the default container factory: the bean named
	 * {@value MqttListenerConfigUtils#MQTT_LISTENER_CONTAINER_FACTORY_BEAN_NAME}, else the
	 * only {@link MqttListenerContainerFactory} bean, else a
	 * {@link DefaultMqttListenerContainerFactory} with its defaults.
	 * @return the factory
	 */
	public MqttListenerContainerFactory getDefaultContainerFactory() {
		BeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null) {
			return new DefaultMqttListenerContainerFactory();
		}
		if (beanFactory.containsBean(MqttListenerConfigUtils.MQTT_LISTENER_CONTAINER_FACTORY_BEAN_NAME)) {
			return beanFactory.getBean(MqttListenerConfigUtils.MQTT_LISTENER_CONTAINER_FACTORY_BEAN_NAME,
					MqttListenerContainerFactory.class);
		}
		ObjectProvider<MqttListenerContainerFactory> factories = beanFactory
			.getBeanProvider(MqttListenerContainerFactory.class);
		MqttListenerContainerFactory unique = factories.getIfUnique();
		return (unique != null) ? unique : new DefaultMqttListenerContainerFactory();
	}

	/**
	 * Create a container for an endpoint and register it.
	 * @param endpoint the endpoint
	 * @param factory the factory to create the container with
	 * @param startImmediately whether to start it now if the registry is already running
	 * (and the container starts automatically)
	 * @return the container
	 * @throws IllegalArgumentException if the id is taken or the client does not exist
	 */
	public MqttListenerContainer registerListenerContainer(MqttListenerEndpoint endpoint,
			MqttListenerContainerFactory factory, boolean startImmediately) {
		String id = endpoint.getId();
		Assert.isTrue(this.clients.containsClient(endpoint.getClientName()),
				() -> "Listener '" + id + "' refers to MQTT client '" + endpoint.getClientName()
						+ "', but the configured clients are " + this.clients.getClientNames()
						+ " (extra clients are configured under mqtt.clients.<name>.*)");
		ConcurrentMqttListenerContainer container;
		synchronized (this.containers) {
			Assert.isTrue(!this.containers.containsKey(id), () -> "Another listener is already registered with id '"
					+ id + "'; set a unique id on @MqttListener");
			container = factory.createListenerContainer(endpoint);
			if (this.eventPublisher != null) {
				container.setApplicationEventPublisher(this.eventPublisher);
			}
			this.containers.put(id, container);
		}
		dispatcher(endpoint.getClientName()).addContainer(container);
		if (startImmediately && this.running && container.isAutoStartup()) {
			container.start();
		}
		return container;
	}

	private MqttMessageDispatcher dispatcher(String clientName) {
		synchronized (this.dispatchers) {
			return this.dispatchers.computeIfAbsent(clientName, (name) -> {
				MqttClientManager manager = this.clients.getClientManager(name);
				return new MqttMessageDispatcher(manager);
			});
		}
	}

	@Override
	public void setApplicationEventPublisher(ApplicationEventPublisher applicationEventPublisher) {
		this.eventPublisher = applicationEventPublisher;
	}

	/**
	 * Pause a listener: it keeps its subscriptions and takes no messages until resumed;
	 * messages arriving meanwhile wait, QoS 1/2 ones unacknowledged, so that the broker
	 * holds back further ones once its in-flight window is full.
	 * @param id the listener id
	 * @throws IllegalArgumentException if there is no such listener
	 */
	public void pause(String id) {
		requiredContainer(id).pause();
	}

	/**
	 * Resume a paused listener.
	 * @param id the listener id
	 * @throws IllegalArgumentException if there is no such listener
	 */
	public void resume(String id) {
		requiredContainer(id).resume();
	}

	/**
	 * Return whether a listener is paused.
	 * @param id the listener id
	 * @return whether it is paused
	 * @throws IllegalArgumentException if there is no such listener
	 */
	public boolean isPaused(String id) {
		return requiredContainer(id).isPaused();
	}

	private MqttListenerContainer requiredContainer(String id) {
		MqttListenerContainer container = getListenerContainer(id);
		Assert.isTrue(container != null,
				() -> "No listener with id '" + id + "'; the listeners are " + getListenerContainerIds());
		return container;
	}

	/**
	 * Return the container of a listener.
	 * @param id the listener id
	 * @return the container or {@code null}
	 */
	public @Nullable MqttListenerContainer getListenerContainer(String id) {
		return this.containers.get(id);
	}

	/**
	 * Return the ids of all listeners.
	 * @return the ids in registration order
	 */
	public Set<String> getListenerContainerIds() {
		synchronized (this.containers) {
			return Set.copyOf(this.containers.keySet());
		}
	}

	/**
	 * Return all containers.
	 * @return the containers in registration order
	 */
	public Collection<MqttListenerContainer> getListenerContainers() {
		synchronized (this.containers) {
			return List.copyOf(this.containers.values());
		}
	}

	/**
	 * Return the containers of one client.
	 * @param clientName the client name
	 * @return the containers
	 */
	public List<MqttListenerContainer> getListenerContainers(String clientName) {
		return getListenerContainers().stream()
			.filter((container) -> container.getClientName().equals(clientName))
			.toList();
	}

	/**
	 * Plan and apply the subscriptions of all containers registered so far. Registration
	 * while the application is wired is batched; the annotation processor calls this once
	 * after registering every {@code @MqttListener}, so that the clients subscribe on their
	 * first connection.
	 */
	public void applySubscriptions() {
		synchronized (this.dispatchers) {
			this.dispatchers.values().forEach(MqttMessageDispatcher::flush);
		}
	}

	@Override
	public void start() {
		this.dispatchers.values().forEach(MqttMessageDispatcher::resume);
		applySubscriptions();
		for (MqttListenerContainer container : getListenerContainers()) {
			if (container.isAutoStartup()) {
				container.start();
			}
		}
		this.dispatchers.values().forEach(MqttMessageDispatcher::startupComplete);
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		// Freeze subscriptions first: stopping for shutdown must not unsubscribe.
		this.dispatchers.values().forEach(MqttMessageDispatcher::shutdown);
		// Stop in parallel: each container may wait up to the shutdown timeout to drain.
		List<Thread> stops = new ArrayList<>();
		for (MqttListenerContainer container : getListenerContainers()) {
			Thread stop = new Thread(container::stop, "mqtt-stop-" + container.getListenerId());
			stop.start();
			stops.add(stop);
		}
		for (Thread stop : stops) {
			try {
				stop.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public void destroy() {
		if (this.running || getListenerContainers().stream().anyMatch(MqttListenerContainer::isRunning)) {
			stop();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
