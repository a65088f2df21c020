package io.mqttboot.annotation;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.config.MethodMqttListenerEndpoint;
import io.mqttboot.config.MqttListenerConfigUtils;
import io.mqttboot.config.MqttListenerContainerFactory;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.listener.MqttAcknowledgment;
import io.mqttboot.listener.MqttListenerErrorHandler;
import io.mqttboot.listener.MqttMessageFilter;
import io.mqttboot.listener.adapter.MqttAcknowledgmentMethodArgumentResolver;
import io.mqttboot.listener.adapter.MqttMessageConverterAdapter;
import io.mqttboot.listener.adapter.MqttReceivedMessageMethodArgumentResolver;
import io.mqttboot.listener.adapter.TopicVariableMethodArgumentResolver;
import io.mqttboot.support.TopicTemplate;
import io.mqttboot.support.converter.DefaultMqttMessageConverter;
import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.validation.Validator;

/**
 * Finds {@link MqttListener} methods on beans, validates them (topic filters, QoS, topic
 * variables, parameters) so that mistakes fail the startup with a message naming the class
 * and method, and registers one endpoint per annotation with the
 * {@link MqttListenerEndpointRegistry} once all singletons exist. A bean created later
 * ({@code @Lazy}, or registered after the context started) is registered, started and
 * subscribed when it is created. Prototype and other non-singleton beans are refused with
 * an error naming the bean: each instance would receive every message, and nothing would
 * ever end an instance's subscription.
 *
 * @since 0.1.0
 */
public class MqttListenerAnnotationBeanPostProcessor
		implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, Ordered {

	private static final Log logger = LogFactory.getLog(MqttListenerAnnotationBeanPostProcessor.class);

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	private final List<PendingEndpoint> pending = new ArrayList<>();

	/**
	 * Whether the singletons were registered: beans created from now on (lazy ones, ones
	 * registered later) are registered and started when they appear.
	 */
	private boolean initialized;

	private @Nullable Registration registration;

	private final Set<Class<?>> nonAnnotatedClasses = java.util.concurrent.ConcurrentHashMap.newKeySet();

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory listable) ? listable : null;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.nonAnnotatedClasses.contains(targetClass) || ScopedProxyUtils.isScopedTarget(beanName)) {
			// The target of a scoped proxy: the proxy, a singleton, is the listener.
			return bean;
		}
		Map<Method, Set<MqttListener>> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<Set<MqttListener>>) (method) -> {
					Set<MqttListener> listeners = AnnotatedElementUtils.findMergedRepeatableAnnotations(method,
							MqttListener.class, MqttListeners.class);
					return listeners.isEmpty() ? null : listeners;
				});
		if (methods.isEmpty()) {
			this.nonAnnotatedClasses.add(targetClass);
			return bean;
		}
		checkSingleton(beanName, targetClass);
		List<PendingEndpoint> endpoints = new ArrayList<>();
		methods.forEach((method, listeners) -> {
			int index = 0;
			for (MqttListener listener : listeners) {
				Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
				endpoints.add(createEndpoint(bean, targetClass, invocable, listener, (listeners.size() > 1) ? index : -1));
				index++;
			}
		});
		synchronized (this.pending) {
			if (!this.initialized) {
				this.pending.addAll(endpoints);
				return bean;
			}
		}
		// Created after startup (@Lazy, or registered later): register and subscribe now.
		registerLate(endpoints, beanName);
		return bean;
	}

	private void checkSingleton(String beanName, Class<?> targetClass) {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory != null && beanFactory.containsBeanDefinition(beanName)
				&& !beanFactory.getMergedBeanDefinition(beanName).isSingleton()) {
			throw new BeanInitializationException(nonSingletonMessage(beanName, targetClass,
					beanFactory.getMergedBeanDefinition(beanName).getScope()));
		}
	}

	private static String nonSingletonMessage(String beanName, Class<?> targetClass, @Nullable String scope) {
		return "@MqttListener on bean '" + beanName + "' (" + ClassUtils.getShortName(targetClass) + ") of scope '"
				+ (StringUtils.hasText(scope) ? scope : "prototype") + "' is not supported: every instance would"
				+ " subscribe and receive every message, and nothing ends an instance's subscription. Make the bean"
				+ " a singleton (it may be @Lazy), or register a listener per instance programmatically with"
				+ " MqttListenerEndpointRegistry.registerListenerContainer";
	}

	private PendingEndpoint createEndpoint(Object bean, Class<?> targetClass, Method method, MqttListener listener,
			int index) {
		String where = ClassUtils.getShortName(targetClass) + "." + method.getName();
		try {
			MethodMqttListenerEndpoint endpoint = new MethodMqttListenerEndpoint();
			endpoint.setBean(bean);
			endpoint.setMethod(method);
			String id = resolve(listener.id());
			endpoint.setId(StringUtils.hasText(id) ? id : where + ((index >= 0) ? "#" + index : ""));
			String client = resolve(listener.client());
			if (StringUtils.hasText(client)) {
				endpoint.setClientName(client);
			}
			String[] topics = resolveTopics(listener.topics(), where);
			endpoint.setTopics(topics);
			if (listener.qos() < 0 || listener.qos() > 2) {
				throw new IllegalArgumentException("qos must be 0, 1 or 2 but was " + listener.qos());
			}
			endpoint.setQos(listener.qos());
			String group = resolve(listener.group());
			endpoint.setGroup(StringUtils.hasText(group) ? group : null);
			endpoint.setNoLocal(listener.noLocal());
			endpoint.setRetainAsPublished(listener.retainAsPublished());
			endpoint.setRetainHandling(listener.retainHandling());
			SendTo sendTo = AnnotatedElementUtils.findMergedAnnotation(method, SendTo.class);
			if (sendTo != null) {
				if (sendTo.value().length != 1 || !StringUtils.hasText(sendTo.value()[0])) {
					throw new IllegalArgumentException("@SendTo needs exactly one topic");
				}
				endpoint.setSendTo(resolve(sendTo.value()[0]));
			}
			endpoint.setReplyOnError(listener.replyOnError());
			String concurrency = resolve(listener.concurrency());
			if (StringUtils.hasText(concurrency)) {
				endpoint.setConcurrency(parseConcurrency(concurrency));
			}
			String autoStartup = resolve(listener.autoStartup());
			if (StringUtils.hasText(autoStartup)) {
				endpoint.setAutoStartup(parseBoolean(autoStartup, "autoStartup"));
			}
			endpoint.setAckMode(listener.ackMode());
			endpoint.setBatch(listener.batch());
			String batchMaxSize = resolve(listener.batchMaxSize());
			if (StringUtils.hasText(batchMaxSize)) {
				endpoint.setBatchMaxSize(parsePositive(batchMaxSize, "batchMaxSize"));
			}
			String batchMaxWait = resolve(listener.batchMaxWait());
			if (StringUtils.hasText(batchMaxWait)) {
				endpoint.setBatchMaxWait(parseDuration(batchMaxWait, "batchMaxWait"));
			}
			if (!listener.batch() && (StringUtils.hasText(batchMaxSize) || StringUtils.hasText(batchMaxWait))) {
				throw new IllegalArgumentException("batchMaxSize and batchMaxWait need batch = true");
			}
			String idleEventInterval = resolve(listener.idleEventInterval());
			if (StringUtils.hasText(idleEventInterval)) {
				endpoint.setIdleEventInterval(parseDuration(idleEventInterval, "idleEventInterval"));
			}
			// Builds and validates every subscription (filters, share group, options).
			endpoint.getSubscriptions();
			return new PendingEndpoint(endpoint, resolve(listener.errorHandler()), resolve(listener.containerFactory()),
					resolve(listener.filter()), where);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw invalid(where, ex, "Correct the @MqttListener attributes of " + where
					+ " (topics, qos, group, concurrency, autoStartup) so that they keep the rule named above.");
		}
	}

	private static MqttListenerConfigurationException invalid(String where, Exception ex, String action) {
		return new MqttListenerConfigurationException(where, String.valueOf(ex.getMessage()), action, ex);
	}

	private String[] resolveTopics(String[] topics, String where) {
		if (topics.length == 0) {
			throw new IllegalArgumentException("at least one topic is required");
		}
		String[] resolved = new String[topics.length];
		for (int i = 0; i < topics.length; i++) {
			resolved[i] = resolve(topics[i]);
		}
		return resolved;
	}

	private static int parseConcurrency(String value) {
		try {
			int concurrency = Integer.parseInt(value.trim());
			if (concurrency < 1) {
				throw new IllegalArgumentException("concurrency must be at least 1 but was " + concurrency);
			}
			return concurrency;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("concurrency must be a number but was '" + value + "'");
		}
	}

	private static int parsePositive(String value, String attribute) {
		try {
			int number = Integer.parseInt(value.trim());
			if (number < 1) {
				throw new IllegalArgumentException(attribute + " must be at least 1 but was " + number);
			}
			return number;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(attribute + " must be a number but was '" + value + "'");
		}
	}

	private static Duration parseDuration(String value, String attribute) {
		try {
			return DurationStyle.detectAndParse(value.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					attribute + " must be a duration such as 30s or 500ms but was '" + value + "'");
		}
	}

	private static boolean parseBoolean(String value, String attribute) {
		if ("true".equalsIgnoreCase(value.trim()) || "false".equalsIgnoreCase(value.trim())) {
			return Boolean.parseBoolean(value.trim());
		}
		throw new IllegalArgumentException(attribute + " must be true or false but was '" + value + "'");
	}

	private void validateParameters(@Nullable Method method, List<TopicTemplate> templates) {
		if (method == null) {
			return;
		}
		Set<String> variables = new LinkedHashSet<>();
		templates.forEach((template) -> variables.addAll(template.getVariableNames()));
		Set<String> bound = new LinkedHashSet<>();
		List<String> payloadParameters = new ArrayList<>();
		List<HandlerMethodArgumentResolver> customResolvers = customResolvers();
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			parameter.initParameterNameDiscovery(new org.springframework.core.DefaultParameterNameDiscoverer());
			if (parameter.hasParameterAnnotation(TopicVariable.class)) {
				String name = TopicVariableMethodArgumentResolver.variableName(parameter);
				if (!variables.contains(name)) {
					throw new IllegalArgumentException("@TopicVariable parameter '" + name
							+ "' matches no {variable} in the topics " + templates);
				}
				bound.add(name);
			}
			else if (!isResolvedOtherwise(parameter, customResolvers)) {
				payloadParameters.add(String.valueOf(parameter.getParameterName()));
			}
		}
		for (String variable : variables) {
			if (!bound.contains(variable)) {
				throw new IllegalArgumentException("topic variable {" + variable
						+ "} has no matching parameter: add a parameter '@TopicVariable String " + variable + "'");
			}
		}
		if (payloadParameters.size() > 1) {
			throw new IllegalArgumentException("parameters " + payloadParameters
					+ " cannot all receive the payload: annotate all but one with @Header, @Headers or @TopicVariable");
		}
	}

	private static boolean isResolvedOtherwise(MethodParameter parameter,
			List<HandlerMethodArgumentResolver> customResolvers) {
		Class<?> type = parameter.getParameterType();
		if (parameter.hasParameterAnnotation(Header.class) || parameter.hasParameterAnnotation(Headers.class)
				|| MessageHeaders.class.isAssignableFrom(type) || MqttReceivedMessage.class.equals(type)
				|| MqttAcknowledgment.class.equals(type)) {
			return true;
		}
		return customResolvers.stream().anyMatch((resolver) -> resolver.supportsParameter(parameter));
	}

	private String resolve(String value) {
		if (this.beanFactory == null || !StringUtils.hasText(value)) {
			return value;
		}
		String resolved = this.beanFactory.resolveEmbeddedValue(value);
		return (resolved != null) ? resolved : value;
	}

	private List<HandlerMethodArgumentResolver> customResolvers() {
		if (this.beanFactory == null) {
			return List.of();
		}
		return this.beanFactory.getBeanProvider(HandlerMethodArgumentResolver.class).orderedStream().toList();
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<PendingEndpoint> endpoints;
		synchronized (this.pending) {
			this.initialized = true;
			endpoints = List.copyOf(this.pending);
			this.pending.clear();
		}
		checkNoNonSingletonListeners();
		if (endpoints.isEmpty()) {
			return;
		}
		Registration registration = registration();
		for (PendingEndpoint pending : endpoints) {
			register(pending, registration, false);
		}
		registration.registry().applySubscriptions();
	}

	/**
	 * Fail the startup for a prototype (or otherwise scoped) bean with {@code @MqttListener}
	 * methods that nobody asked for yet, rather than when it is first created.
	 */
	private void checkNoNonSingletonListeners() {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null) {
			return;
		}
		for (String beanName : beanFactory.getBeanDefinitionNames()) {
			BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
			if (definition.isSingleton() || definition.isAbstract() || ScopedProxyUtils.isScopedTarget(beanName)) {
				continue;
			}
			Class<?> type = beanFactory.getType(beanName, false);
			if (type != null && hasListenerMethods(ClassUtils.getUserClass(type))) {
				throw new BeanInitializationException(nonSingletonMessage(beanName, type, definition.getScope()));
			}
		}
	}

	private boolean hasListenerMethods(Class<?> type) {
		return !MethodIntrospector.selectMethods(type,
				(MethodIntrospector.MetadataLookup<Boolean>) (method) -> AnnotatedElementUtils
					.findMergedRepeatableAnnotations(method, MqttListener.class, MqttListeners.class)
					.isEmpty() ? null : Boolean.TRUE)
			.isEmpty();
	}

	private void registerLate(List<PendingEndpoint> endpoints, String beanName) {
		Registration registration = registration();
		for (PendingEndpoint pending : endpoints) {
			register(pending, registration, true);
		}
		// Subscribed now, or on the next connection when the client is disconnected.
		registration.registry().applySubscriptions();
		logger.info("Registered " + endpoints.size() + " @MqttListener endpoint" + ((endpoints.size() != 1) ? "s" : "")
					+ " of bean '" + beanName + "', created after startup: "
					+ endpoints.stream().map((pending) -> pending.endpoint().getId()).toList());
	}

	private synchronized Registration registration() {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (beanFactory == null) {
			throw new IllegalStateException("@MqttListener methods need a ConfigurableListableBeanFactory");
		}
		Registration registration = this.registration;
		if (registration == null) {
			MqttListenerEndpointRegistry registry = beanFactory.getBean(
					MqttListenerConfigUtils.MQTT_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME,
					MqttListenerEndpointRegistry.class);
			MqttListenerContainerFactory factory = registry.getDefaultContainerFactory();
			registration = new Registration(beanFactory, registry, factory, messageHandlerMethodFactory(beanFactory));
			this.registration = registration;
		}
		return registration;
	}

	private void register(PendingEndpoint pending, Registration registration, boolean startImmediately) {
		MethodMqttListenerEndpoint endpoint = pending.endpoint();
		String where = pending.where();
		try {
			// Only now: custom argument resolvers are beans, which may not have existed
			// when the listener bean was post-processed.
			validateParameters(endpoint.getMethod(), endpoint.getTopicTemplates());
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw invalid(where, ex, "Change the parameters of " + where + ": bind every {variable} of the"
					+ " topics with a @TopicVariable parameter, and let only one parameter receive the payload"
					+ " (annotate the others with @Header, @Headers or @TopicVariable).");
		}
		endpoint.setMessageHandlerMethodFactory(registration.methodFactory());
		endpoint.setMessageConverter(messageConverter(registration.beanFactory()));
		MqttClientRegistry clients = registration.beanFactory().getBeanProvider(MqttClientRegistry.class).getIfAvailable();
		if (clients != null && clients.containsClient(endpoint.getClientName())) {
			// Replies go out on the listener's own client.
			endpoint.setReplyTemplate(clients.getTemplate(endpoint.getClientName()));
		}
		if (StringUtils.hasText(pending.errorHandler())) {
			try {
				endpoint.setErrorHandler(
						registration.beanFactory().getBean(pending.errorHandler(), MqttListenerErrorHandler.class));
			}
			catch (BeansException ex) {
				throw invalid(where, ex, "Define a bean of type MqttListenerErrorHandler named '"
						+ pending.errorHandler() + "', or correct the errorHandler attribute of " + where + ".");
			}
		}
		if (StringUtils.hasText(pending.filter())) {
			try {
				endpoint.setMessageFilter(registration.beanFactory().getBean(pending.filter(), MqttMessageFilter.class));
			}
			catch (BeansException ex) {
				throw invalid(where, ex, "Define a bean of type MqttMessageFilter named '" + pending.filter()
						+ "', or correct the filter attribute of " + where + ".");
			}
		}
		MqttListenerContainerFactory factory = registration.factory();
		if (StringUtils.hasText(pending.containerFactory())) {
			try {
				factory = registration.registry().getContainerFactory(pending.containerFactory());
			}
			catch (IllegalArgumentException ex) {
				throw invalid(where, ex, "Define a MqttListenerContainerFactory bean named '" + pending.containerFactory()
						+ "', or correct the containerFactory attribute of " + where + ".");
			}
		}
		try {
			registration.registry().registerListenerContainer(endpoint, factory, startImmediately);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw invalid(where, ex,
					registrationAction(registration.beanFactory(), registration.registry(), endpoint, where));
		}
	}

	private static String registrationAction(ConfigurableListableBeanFactory beanFactory,
			MqttListenerEndpointRegistry registry, MethodMqttListenerEndpoint endpoint, String where) {
		MqttClientRegistry clients = beanFactory.getBeanProvider(MqttClientRegistry.class).getIfAvailable();
		String client = endpoint.getClientName();
		if (clients != null && !clients.containsClient(client)) {
			return "Set the client attribute of " + where + " to one of the configured clients "
					+ clients.getClientNames() + ", or configure a client named '" + client + "' (mqtt.clients."
					+ client + ".url).";
		}
		if (registry.getListenerContainer(endpoint.getId()) != null) {
			return "Give every @MqttListener a unique id (the id attribute).";
		}
		return "Correct the @MqttListener on " + where + " so that it keeps the rule named above.";
	}

	private DefaultMessageHandlerMethodFactory messageHandlerMethodFactory(ConfigurableListableBeanFactory beanFactory) {
		DefaultMessageHandlerMethodFactory factory = new DefaultMessageHandlerMethodFactory();
		factory.setMessageConverter(new MqttMessageConverterAdapter(messageConverter(beanFactory)));
		Validator validator = beanFactory.getBeanProvider(Validator.class).getIfUnique();
		if (validator != null) {
			factory.setValidator(validator);
		}
		List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
		resolvers.add(new TopicVariableMethodArgumentResolver());
		resolvers.add(new MqttReceivedMessageMethodArgumentResolver());
		resolvers.add(new MqttAcknowledgmentMethodArgumentResolver());
		resolvers.addAll(customResolvers());
		factory.setCustomArgumentResolvers(resolvers);
		factory.setBeanFactory(beanFactory);
		factory.afterPropertiesSet();
		return factory;
	}

	private static MqttMessageConverter messageConverter(ConfigurableListableBeanFactory beanFactory) {
		return beanFactory.getBeanProvider(MqttMessageConverter.class)
			.getIfAvailable(() -> new DefaultMqttMessageConverter(null));
	}

	private record PendingEndpoint(MethodMqttListenerEndpoint endpoint, String errorHandler, String containerFactory,
			String filter, String where) {
	}

	private record Registration(ConfigurableListableBeanFactory beanFactory, MqttListenerEndpointRegistry registry,
			MqttListenerContainerFactory factory, DefaultMessageHandlerMethodFactory methodFactory) {
	}

}
