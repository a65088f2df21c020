package io.mqttboot.config;

import java.time.Duration;
import java.util.concurrent.Executor;

import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.mqttboot.listener.ConcurrentMqttListenerContainer;
import io.mqttboot.listener.LoggingMqttListenerErrorHandler;
import io.mqttboot.listener.MqttListenerErrorHandler;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.task.VirtualThreadTaskExecutor;

/**
 * The default {@link MqttListenerContainerFactory}: creates
 * {@link ConcurrentMqttListenerContainer}s with shared defaults that endpoints may
 * override. Declare several (as beans with different names) to give groups of listeners
 * their own concurrency, threads, retry and error handling, and pick one with
 * {@code @MqttListener(containerFactory = "beanName")}.
 *
 * @since 0.1.0
 */
public class DefaultMqttListenerContainerFactory implements MqttListenerContainerFactory {

	private static final Log logger = LogFactory.getLog(DefaultMqttListenerContainerFactory.class);

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

	private @Nullable Executor taskExecutor;

	private boolean virtualThreads;

	private @Nullable Boolean perTopicLanes;

	/**
	 * Set whether each topic gets a serial queue of its own that the container's workers
	 * take turns on, see {@link ConcurrentMqttListenerContainer#setPerTopicLanes(boolean)}.
	 * Defaults to on with {@link #setVirtualThreads(boolean) virtual threads} or when a
	 * container has more than one worker, and off for a single worker (where both
	 * arrangements process one message at a time, and one worker queue costs less).
	 * @param perTopicLanes whether to use per-topic lanes, {@code null} for the default
	 */
	public void setPerTopicLanes(@Nullable Boolean perTopicLanes) {
		this.perTopicLanes = perTopicLanes;
	}

	/**
	 * Set the executor that runs the workers of each container: one long-running task per
	 * worker, so it must be able to run {@code concurrency} tasks at once per container.
	 * Defaults to a platform thread per worker. Ignored when
	 * {@link #setVirtualThreads(boolean) virtual threads} are on.
	 * @param taskExecutor the executor, or {@code null} for platform threads
	 */
	public void setTaskExecutor(@Nullable Executor taskExecutor) {
		this.taskExecutor = taskExecutor;
	}

	/**
	 * Set whether workers are virtual threads (Java 21 or later; on older Java the setting
	 * is ignored with a warning). Unless {@link #setPerTopicLanes(Boolean)} says otherwise,
	 * containers then also use per-topic lanes: each topic has a serial queue that the
	 * {@code concurrency} workers take turns on, so a listener that blocks (I/O) keeps all
	 * workers busy, no topic waits behind another that happens to share its worker, and
	 * messages of one topic are still processed in order.
	 * @param virtualThreads whether to use virtual threads
	 */
	public void setVirtualThreads(boolean virtualThreads) {
		if (virtualThreads) {
			String unavailable = virtualThreadsUnavailable();
			if (unavailable != null) {
				logger.warn("Virtual threads for MQTT listeners were asked for, but cannot be created on Java "
						+ Runtime.version().feature() + " (" + unavailable + "; they need Java 21 or later): the"
						+ " setting is ignored and listeners run on platform threads");
				this.virtualThreads = false;
				return;
			}
		}
		this.virtualThreads = virtualThreads;
	}

	/**
	 * Return whether workers are virtual threads: {@code false} when they were asked for
	 * on a Java version without them.
	 * @return whether virtual threads are used
	 */
	public boolean isVirtualThreads() {
		return this.virtualThreads;
	}

	private static @Nullable String virtualThreadsUnavailable() {
		try {
			new VirtualThreadTaskExecutor("mqtt-");
			return null;
		}
		catch (UnsupportedOperationException ex) {
			return ex.getMessage();
		}
	}

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
		int concurrency = (endpoint.getConcurrency() != null) ? endpoint.getConcurrency() : this.concurrency;
		container.setConcurrency(concurrency);
		container.setAutoStartup((endpoint.getAutoStartup() != null) ? endpoint.getAutoStartup() : this.autoStartup);
		container.setErrorHandler((endpoint.getErrorHandler() != null) ? endpoint.getErrorHandler() : this.errorHandler);
		container.setQueueCapacity(this.queueCapacity);
		container.setRetryPolicy(this.retryPolicy);
		container.setShutdownTimeout(this.shutdownTimeout);
		container.setObservationRegistry(this.observationRegistry);
		container.setMessageFilter(endpoint.getMessageFilter());
		container.setTaskExecutor(
				this.virtualThreads ? new VirtualThreadTaskExecutor("mqtt-" + endpoint.getId() + "-") : this.taskExecutor);
		// With hashed workers, a worker owns the topics hashed to it: one slow topic holds up
		// the others of its worker, and uneven hashing leaves workers idle (issue 14, B9:
		// 0.43 x ideal at 64 platform threads, against 0.97 with lanes).
		container.setPerTopicLanes((this.perTopicLanes != null) ? this.perTopicLanes
				: this.virtualThreads || concurrency > 1);
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
