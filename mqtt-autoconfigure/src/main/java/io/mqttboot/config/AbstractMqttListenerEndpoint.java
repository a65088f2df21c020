package io.mqttboot.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttClientRegistry;
import io.mqttboot.core.MqttSubscription;
import io.mqttboot.listener.MqttListenerErrorHandler;
import io.mqttboot.listener.MqttMessageFilter;
import io.mqttboot.support.TopicFilter;
import io.mqttboot.support.TopicTemplate;

import org.springframework.util.Assert;

/**
 * Base class of {@link MqttListenerEndpoint} implementations: topics as templates, share
 * group and subscription options.
 *
 * @since 0.1.0
 */
public abstract class AbstractMqttListenerEndpoint implements MqttListenerEndpoint {

	private @Nullable String id;

	private String clientName = MqttClientRegistry.DEFAULT_CLIENT;

	private final List<TopicTemplate> topicTemplates = new ArrayList<>();

	private int qos = 1;

	private @Nullable String group;

	private boolean noLocal;

	private boolean retainAsPublished;

	private int retainHandling;

	private @Nullable Integer concurrency;

	private @Nullable Boolean autoStartup;

	private @Nullable MqttListenerErrorHandler errorHandler;

	private @Nullable MqttMessageFilter messageFilter;

	private @Nullable Integer batchMaxSize;

	private @Nullable Duration batchMaxWait;

	private @Nullable Duration idleEventInterval;

	@Override
	public String getId() {
		Assert.state(this.id != null, "No id set");
		return this.id;
	}

	/**
	 * Set the listener id.
	 * @param id the id
	 */
	public void setId(String id) {
		this.id = id;
	}

	@Override
	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Set the client to receive with.
	 * @param clientName the client name
	 */
	public void setClientName(String clientName) {
		this.clientName = clientName;
	}

	/**
	 * Set the topics: filters or templates with {@code {name}} levels.
	 * @param topics the topics
	 * @throws IllegalArgumentException if a topic is not a valid filter or template
	 */
	public void setTopics(String... topics) {
		this.topicTemplates.clear();
		for (String topic : topics) {
			this.topicTemplates.add(TopicTemplate.of(topic));
		}
	}

	/**
	 * Return the topic templates.
	 * @return the templates
	 */
	public List<TopicTemplate> getTopicTemplates() {
		return List.copyOf(this.topicTemplates);
	}

	/**
	 * Set the maximum QoS of the subscriptions.
	 * @param qos 0, 1 or 2
	 */
	public void setQos(int qos) {
		this.qos = qos;
	}

	/**
	 * Set the share group.
	 * @param group the group, or {@code null} for plain subscriptions
	 */
	public void setGroup(@Nullable String group) {
		this.group = group;
	}

	/**
	 * Set the MQTT 5 no-local option.
	 * @param noLocal the option
	 */
	public void setNoLocal(boolean noLocal) {
		this.noLocal = noLocal;
	}

	/**
	 * Set the MQTT 5 retain-as-published option.
	 * @param retainAsPublished the option
	 */
	public void setRetainAsPublished(boolean retainAsPublished) {
		this.retainAsPublished = retainAsPublished;
	}

	/**
	 * Set the MQTT 5 retain handling.
	 * @param retainHandling 0, 1 or 2
	 */
	public void setRetainHandling(int retainHandling) {
		this.retainHandling = retainHandling;
	}

	@Override
	public List<MqttSubscription> getSubscriptions() {
		Assert.state(!this.topicTemplates.isEmpty(), () -> "No topics set for listener '" + this.id + "'");
		List<MqttSubscription> subscriptions = new ArrayList<>();
		for (TopicTemplate template : this.topicTemplates) {
			String filter = (this.group != null) ? TopicFilter.shared(this.group, template.getFilter()).getFilter()
					: template.getFilter();
			subscriptions.add(new MqttSubscription(filter, this.qos, this.noLocal, this.retainAsPublished,
					this.retainHandling));
		}
		return subscriptions;
	}

	@Override
	public @Nullable Integer getConcurrency() {
		return this.concurrency;
	}

	/**
	 * Set the number of threads.
	 * @param concurrency the concurrency, or {@code null} for the default
	 */
	public void setConcurrency(@Nullable Integer concurrency) {
		this.concurrency = concurrency;
	}

	@Override
	public @Nullable Boolean getAutoStartup() {
		return this.autoStartup;
	}

	/**
	 * Set whether to start with the application.
	 * @param autoStartup the flag, or {@code null} for the default
	 */
	public void setAutoStartup(@Nullable Boolean autoStartup) {
		this.autoStartup = autoStartup;
	}

	@Override
	public @Nullable MqttListenerErrorHandler getErrorHandler() {
		return this.errorHandler;
	}

	/**
	 * Set the error handler.
	 * @param errorHandler the handler, or {@code null} for the default
	 */
	public void setErrorHandler(@Nullable MqttListenerErrorHandler errorHandler) {
		this.errorHandler = errorHandler;
	}

	@Override
	public @Nullable MqttMessageFilter getMessageFilter() {
		return this.messageFilter;
	}

	/**
	 * Set the filter that decides whether the listener processes a message; rejected
	 * messages are acknowledged unprocessed and counted.
	 * @param messageFilter the filter, or {@code null} to process all
	 */
	public void setMessageFilter(@Nullable MqttMessageFilter messageFilter) {
		this.messageFilter = messageFilter;
	}

	@Override
	public @Nullable Integer getBatchMaxSize() {
		return this.batchMaxSize;
	}

	/**
	 * Set the largest batch for a batch listener.
	 * @param batchMaxSize the size, or {@code null} for the default
	 */
	public void setBatchMaxSize(@Nullable Integer batchMaxSize) {
		this.batchMaxSize = batchMaxSize;
	}

	@Override
	public @Nullable Duration getBatchMaxWait() {
		return this.batchMaxWait;
	}

	/**
	 * Set how long a batch is collected after its first message.
	 * @param batchMaxWait the wait, or {@code null} for the default
	 */
	public void setBatchMaxWait(@Nullable Duration batchMaxWait) {
		this.batchMaxWait = batchMaxWait;
	}

	@Override
	public @Nullable Duration getIdleEventInterval() {
		return this.idleEventInterval;
	}

	/**
	 * Set after how long without messages an idle event is published.
	 * @param idleEventInterval the interval, or {@code null} for no idle events
	 */
	public void setIdleEventInterval(@Nullable Duration idleEventInterval) {
		this.idleEventInterval = idleEventInterval;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[id=" + this.id + ", client=" + this.clientName + ", topics="
				+ this.topicTemplates + "]";
	}

}
