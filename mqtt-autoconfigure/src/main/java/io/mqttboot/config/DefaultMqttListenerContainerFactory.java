package io.mqttboot.config;

import java.time.Duration;

import io.micrometer.observation.ObservationRegistry;

import io.mqttboot.listener.ConcurrentMqttListenerContainer;
import io.mqttboot.listener.LoggingMqttListenerErrorHandler;
import io.mqttboot.listener.MqttListenerErrorHandler;

import org.springframework.core.retry.RetryPolicy;

/**
 * The default {@link MqttListenerContainerFactory}: creates
 * {@link ConcurrentMqttListenerContainer}s with shared defaults that endpoints may
 * override.
 *
 * @since 0.1.0
 */
public class DefaultMqttListenerContainerFactory implements MqttListenerContainerFactory {

	private int concurrency = 1;

	private int queueCapacity = 10_000;

	private boolean autoStartup = true;

	private RetryPolicy retryPolicy = RetryPolicy.builder()
		.maxRetries(2)
		.delay(Duration.ofMillis(500))
		.multiplier(2)
		.maxDelay(Duration.ofSeconds(10))
		.build();

	private MqttListenerErrorHandler errorHandler = new LoggingMqttListenerErrorHandler();

	private Duration shutdownTimeout = Duration.ofSeconds(10);

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	/**
	 * Set the registry for listener observations.
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Set the default number of threads per container.
	 * @param concurrency the concurrency
	 */
	public void setConcurrency(int concurrency) {
		this.concurrency = concurrency;
	}

	/**
	 * Set the per-thread queue capacity for QoS 0 messages.
	 * @param queueCapacity the capacity
	 */
	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	/**
	 * Set whether containers start with the application by default.
	 * @param autoStartup the flag
	 */
	public void setAutoStartup(boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	/**
	 * Set the retry policy for failed invocations.
	 * @param retryPolicy the policy
	 */
	public void setRetryPolicy(RetryPolicy retryPolicy) {
		this.retryPolicy = retryPolicy;
	}

	/**
	 * Set the default error handler.
	 * @param errorHandler the handler
	 */
	public void setErrorHandler(MqttListenerErrorHandler errorHandler) {
		this.errorHandler = errorHandler;
	}

	/**
	 * Set how long stopping a container waits for queued messages.
	 * @param shutdownTimeout the timeout
	 */
	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	@Override
	public ConcurrentMqttListenerContainer createListenerContainer(MqttListenerEndpoint endpoint) {
		ConcurrentMqttListenerContainer container = new ConcurrentMqttListenerContainer(endpoint.getId(),
				endpoint.getClientName(), endpoint.getSubscriptions(), endpoint.createMessageListener());
		container.setConcurrency((endpoint.getConcurrency() != null) ? endpoint.getConcurrency() : this.concurrency);
		container.setAutoStartup((endpoint.getAutoStartup() != null) ? endpoint.getAutoStartup() : this.autoStartup);
		container.setErrorHandler((endpoint.getErrorHandler() != null) ? endpoint.getErrorHandler() : this.errorHandler);
		container.setQueueCapacity(this.queueCapacity);
		container.setRetryPolicy(this.retryPolicy);
		container.setShutdownTimeout(this.shutdownTimeout);
		container.setObservationRegistry(this.observationRegistry);
		if (endpoint.getBatchMaxSize() != null) {
			container.setBatchMaxSize(endpoint.getBatchMaxSize());
		}
		if (endpoint.getBatchMaxWait() != null) {
			container.setBatchMaxWait(endpoint.getBatchMaxWait());
		}
		container.setIdleEventInterval(endpoint.getIdleEventInterval());
		return container;
	}

}
