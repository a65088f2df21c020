package io.mqttboot.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import io.mqttboot.annotation.EnableMqtt;
import io.mqttboot.config.DefaultMqttListenerContainerFactory;
import io.mqttboot.config.MqttListenerConfigUtils;
import io.mqttboot.core.MqttClientCustomizer;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.MqttConnectionDetails;
import io.mqttboot.core.MqttOperations;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.core.MqttTlsSettings;
import io.mqttboot.core.MqttVersion;
import io.mqttboot.listener.DeadLetterMqttListenerErrorHandler;
import io.mqttboot.support.converter.DefaultMqttMessageConverter;
import io.mqttboot.support.converter.MqttMessageConverter;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * Auto-configuration for MQTT: a managed client from {@code mqtt.*}, extra clients from
 * {@code mqtt.clients.<name>.*}, an {@link MqttTemplate} for each, and
 * {@link io.mqttboot.annotation.MqttListener @MqttListener} support.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
		"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
		"org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration" })
@ConditionalOnClass(name = "com.hivemq.client.mqtt.MqttClient")
@EnableConfigurationProperties(MqttProperties.class)
public final class MqttAutoConfiguration {

	private static final Log logger = LogFactory.getLog(MqttAutoConfiguration.class);

	/**
	 * The session expiry of a client with a configured client id and no configured
	 * {@code session-expiry}: long enough to ride out network and broker outages, short
	 * enough that a session left behind by a stopped or crashed application costs the
	 * broker little.
	 */
	static final Duration STABLE_CLIENT_ID_SESSION_EXPIRY = Duration.ofMinutes(5);

	@Bean
	@ConditionalOnMissingBean(MqttConnectionDetails.class)
	PropertiesMqttConnectionDetails mqttConnectionDetails(MqttProperties properties) {
		return new PropertiesMqttConnectionDetails(properties);
	}

	@Bean
	@ConditionalOnMissingBean(MqttClientManager.class)
	MqttClientManager mqttClientManager(MqttProperties properties, MqttConnectionDetails connectionDetails,
			ObjectProvider<MqttClientCustomizer> customizers, ApplicationEventPublisher eventPublisher,
			Environment environment, ObjectProvider<SslBundles> sslBundles) {
		MqttClientSettings settings = settings(MqttClientRegistry.DEFAULT_CLIENT, properties, connectionDetails,
				properties.getShutdownTimeout(), environment, sslBundles);
		MqttClientManager manager = new MqttClientManager(MqttClientRegistry.DEFAULT_CLIENT, settings,
				customizers.orderedStream().toList(), eventPublisher);
		pullAndRequestReply(manager, properties);
		return manager;
	}

	private static void pullAndRequestReply(MqttClientManager manager, MqttProperties properties) {
		manager.getReplyCorrelator().setTopicPrefix(properties.getRequestReply().getTopicPrefix());
		manager.getPullBuffers().setCapacity(properties.getReceive().getBufferCapacity());
	}

	@Bean
	@ConditionalOnMissingBean(MqttOperations.class)
	MqttTemplate mqttTemplate(MqttClientManager mqttClientManager, MqttMessageConverter mqttMessageConverter,
			ObjectProvider<ObservationRegistry> observationRegistry) {
		MqttTemplate template = new MqttTemplate(mqttClientManager, mqttMessageConverter);
		observationRegistry.ifAvailable(template::setObservationRegistry);
		return template;
	}

	@Bean
	@ConditionalOnMissingBean(MqttClientRegistry.class)
	MqttClientRegistry mqttClientRegistry(MqttProperties properties, MqttClientManager mqttClientManager,
			ObjectProvider<MqttTemplate> mqttTemplate, MqttMessageConverter mqttMessageConverter,
			ObjectProvider<MqttClientCustomizer> customizers, ApplicationEventPublisher eventPublisher,
			Environment environment, ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<SslBundles> sslBundles) {
		MqttTemplate defaultTemplate = mqttTemplate
			.getIfUnique(() -> new MqttTemplate(mqttClientManager, mqttMessageConverter));
		List<MqttClientCustomizer> orderedCustomizers = customizers.orderedStream().toList();
		Map<String, MqttTemplate> extra = new LinkedHashMap<>();
		properties.getClients().forEach((name, clientProperties) -> {
			MqttClientSettings settings = settings(name, clientProperties,
					new PropertiesMqttConnectionDetails(clientProperties, "mqtt.clients." + name + ".url"),
					properties.getShutdownTimeout(),
					environment, sslBundles);
			MqttClientManager manager = new MqttClientManager(name, settings, orderedCustomizers, eventPublisher);
			pullAndRequestReply(manager, properties);
			MqttTemplate template = new MqttTemplate(manager, mqttMessageConverter);
			observationRegistry.ifAvailable(template::setObservationRegistry);
			extra.put(name, template);
		});
		return new MqttClientRegistry(defaultTemplate, extra);
	}

	static MqttClientSettings settings(String name, MqttClientProperties properties,
			MqttConnectionDetails connectionDetails, Duration shutdownTimeout, Environment environment,
			ObjectProvider<SslBundles> sslBundles) {
		MqttClientSettings.Builder builder = MqttClientSettings.builder();
		PropertyMapper map = PropertyMapper.get();
		map.from(connectionDetails::getServerUris).to(builder::serverUris);
		map.from(connectionDetails::getUsername).to(builder::username);
		map.from(connectionDetails::getPassword).to(builder::password);
		builder.clientId(clientId(name, properties, environment));
		builder.version(version(name, properties.getVersion()));
		map.from(properties::getKeepAlive).to(builder::keepAlive);
		map.from(properties::getConnectTimeout).to(builder::connectTimeout);
		map.from(properties::isCleanStart).to(builder::cleanStart);
		builder.sessionExpiry(sessionExpiry(properties));
		map.from(properties::getReceiveMaximum).to(builder::receiveMaximum);
		map.from(properties::isFailFast).to(builder::failFast);
		map.from(properties.getReconnect()::getInitialDelay).to(builder::reconnectInitialDelay);
		map.from(properties.getReconnect()::getMaxDelay).to(builder::reconnectMaxDelay);
		map.from(properties.getPublish()::getQos).to(builder::defaultQos);
		map.from(properties.getPublish()::isRetain).to(builder::defaultRetain);
		map.from(properties.getPublish()::getTimeout).to(builder::publishTimeout);
		map.from(properties.getPublish()::isDeliveryEvents).to(builder::deliveryEvents);
		// Listeners on virtual threads: keep RxJava's hop, so that waking them is not the
		// network thread's work (docs/design.md §8b).
		builder.callbacksOnNetworkThread(!Threading.VIRTUAL.isActive(environment));
		map.from(properties.getOutbox()::getCapacity).to(builder::outboxCapacity);
		builder.outboxDirectory(outboxDirectory(name, properties.getOutbox()));
		Integer maxQos = properties.getPublish().getMaxQos();
		if (maxQos != null) {
			builder.maxQos(maxQos);
		}
		DataSize maxPacketSize = properties.getPublish().getMaxPacketSize();
		if (maxPacketSize != null) {
			builder.maxPacketSize(Math.toIntExact(maxPacketSize.toBytes()));
		}
		builder.shutdownTimeout(shutdownTimeout);
		builder.tls(tls(name, properties.getSsl(), sslBundles));
		MqttClientProperties.Will will = properties.getWill();
		if (StringUtils.hasText(will.getTopic())) {
			builder.will(new MqttClientSettings.Will(will.getTopic(), will.getPayload().getBytes(StandardCharsets.UTF_8),
					will.getQos(), will.isRetain()));
		}
		return builder.build();
	}

	private static @Nullable Path outboxDirectory(String name, MqttClientProperties.Outbox outbox) {
		if (outbox.getStore() != MqttClientProperties.Outbox.Store.FILE) {
			return null;
		}
		if (outbox.getDirectory() == null) {
			String prefix = MqttClientRegistry.DEFAULT_CLIENT.equals(name) ? "mqtt." : "mqtt.clients." + name + ".";
			throw new IllegalStateException("MQTT client '" + name + "' has " + prefix + "outbox.store=file but no "
					+ prefix + "outbox.directory: set the directory the outbox file is kept in");
		}
		return outbox.getDirectory();
	}

	private static @Nullable MqttTlsSettings tls(String name, MqttClientProperties.Ssl ssl,
			ObjectProvider<SslBundles> sslBundles) {
		if (!StringUtils.hasText(ssl.getBundle())) {
			return ssl.isVerifyHostname() ? null
					: new MqttTlsSettings(null, null, List.of(), List.of(), false);
		}
		String property = (MqttClientRegistry.DEFAULT_CLIENT.equals(name)) ? "mqtt.ssl.bundle"
				: "mqtt.clients." + name + ".ssl.bundle";
		SslBundles bundles = sslBundles.getIfAvailable();
		if (bundles == null) {
			throw new MqttSslBundleNotFoundException(name, property, ssl.getBundle(), List.of(), null);
		}
		SslBundle bundle;
		try {
			bundle = bundles.getBundle(ssl.getBundle());
		}
		catch (NoSuchSslBundleException ex) {
			throw new MqttSslBundleNotFoundException(name, property, ssl.getBundle(), bundles.getBundleNames(), ex);
		}
		SslOptions options = bundle.getOptions();
		return new MqttTlsSettings(bundle.getManagers().getKeyManagerFactory(),
				bundle.getManagers().getTrustManagerFactory(),
				(options.getEnabledProtocols() != null) ? List.of(options.getEnabledProtocols()) : List.of(),
				(options.getCiphers() != null) ? List.of(options.getCiphers()) : List.of(), ssl.isVerifyHostname());
	}

	/**
	 * Return the session expiry: as configured, else {@link #STABLE_CLIENT_ID_SESSION_EXPIRY}
	 * for a configured client id and zero for a generated one. A stable client id resumes
	 * its session after a lost connection (a 1 s link cut otherwise loses every QoS 1/2
	 * message published meanwhile), while clean-start still decides whether a new run
	 * starts afresh; a generated id is never reused, so its session would only cost the
	 * broker memory until it expired.
	 */
	static Duration sessionExpiry(MqttClientProperties properties) {
		Duration configured = properties.getSessionExpiry();
		if (configured != null) {
			return configured;
		}
		return StringUtils.hasText(properties.getClientId()) ? STABLE_CLIENT_ID_SESSION_EXPIRY : Duration.ZERO;
	}

	private static String clientId(String name, MqttClientProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.getClientId())) {
			return properties.getClientId();
		}
		String prefix = environment.getProperty("spring.application.name", "mqtt");
		if (!MqttClientRegistry.DEFAULT_CLIENT.equals(name)) {
			prefix = prefix + "-" + name;
		}
		byte[] random = new byte[4];
		ThreadLocalRandom.current().nextBytes(random);
		return prefix + "-" + HexFormat.of().formatHex(random);
	}

	private static MqttVersion version(String name, int version) {
		return switch (version) {
			case 5 -> MqttVersion.MQTT_5_0;
			case 3 -> MqttVersion.MQTT_3_1_1;
			default -> throw new IllegalArgumentException("MQTT version of client '" + name
					+ "' must be 5 (MQTT 5.0) or 3 (MQTT 3.1.1) but was " + version);
		};
	}

	@Bean
	@ConditionalOnMissingBean(name = MqttListenerConfigUtils.MQTT_LISTENER_CONTAINER_FACTORY_BEAN_NAME)
	DefaultMqttListenerContainerFactory mqttListenerContainerFactory(MqttProperties properties,
			ObjectProvider<MqttClientRegistry> mqttClientRegistry,
			ObjectProvider<ObservationRegistry> observationRegistry, Environment environment) {
		MqttProperties.Listener listener = properties.getListener();
		DefaultMqttListenerContainerFactory factory = new DefaultMqttListenerContainerFactory();
		if (Threading.VIRTUAL.isActive(environment)) {
			// As Boot does for Kafka and Rabbit listeners.
			factory.setVirtualThreads(true);
		}
		else if (environment.getProperty("spring.threads.virtual.enabled", Boolean.class, false)) {
			logger.warn("spring.threads.virtual.enabled=true is ignored for MQTT listeners: virtual threads need Java 21"
					+ " or later and this is Java " + Runtime.version().feature() + "; listeners run on platform threads");
		}
		if (listener.getPerTopicLanes() != null) {
			factory.setPerTopicLanes(listener.getPerTopicLanes());
		}
		factory.setConcurrency(listener.getConcurrency());
		factory.setQueueCapacity(listener.getQueueCapacity());
		factory.setAutoStartup(listener.isAutoStartup());
		factory.setShutdownTimeout(properties.getShutdownTimeout());
		observationRegistry.ifAvailable(factory::setObservationRegistry);
		MqttProperties.Retry retry = listener.getRetry();
		factory.setRetryPolicy(RetryPolicy.builder()
			.maxRetries(Math.max(0, retry.getMaxAttempts() - 1))
			.delay(retry.getInitialInterval())
			.multiplier(retry.getMultiplier())
			.maxDelay(retry.getMaxInterval())
			.build());
		if (listener.getDeadLetter().isEnabled()) {
			// Through the registry: a listener's dead letters go out on the client that received them.
			factory.setErrorHandler(new DeadLetterMqttListenerErrorHandler(mqttClientRegistry.getObject(),
					listener.getDeadLetter().getTopicPrefix()));
		}
		return factory;
	}

	@Bean
	static UnknownMqttPropertiesReporter unknownMqttPropertiesReporter(Environment environment,
			ListableBeanFactory beanFactory) {
		return new UnknownMqttPropertiesReporter(environment, beanFactory);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableMqtt
	@ConditionalOnMissingBean(name = MqttListenerConfigUtils.MQTT_LISTENER_ANNOTATION_PROCESSOR_BEAN_NAME)
	static class EnableMqttConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JsonMapper.class)
	static class JsonMessageConverterConfiguration {

		@Bean
		@ConditionalOnMissingBean(MqttMessageConverter.class)
		MqttMessageConverter mqttMessageConverter(ObjectProvider<JsonMapper> jsonMapper) {
			return new DefaultMqttMessageConverter(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("tools.jackson.databind.json.JsonMapper")
	static class BytesMessageConverterConfiguration {

		@Bean
		@ConditionalOnMissingBean(MqttMessageConverter.class)
		MqttMessageConverter mqttMessageConverter() {
			return new DefaultMqttMessageConverter(null);
		}

	}

}
