package io.mqttboot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.mqttboot.listener.MqttAckMode;

import org.springframework.core.annotation.AliasFor;

/**
 * Marks a method to be invoked for MQTT messages on the given topics.
 * <p>
 * Topics are topic filters ({@code a/+/temp}, {@code a/#}) or templates whose
 * {@code {name}} levels subscribe as {@code +} and bind to {@link TopicVariable}
 * parameters ({@code sensors/{deviceId}/temp}). Every attribute except {@code qos},
 * {@code noLocal}, {@code retainAsPublished}, {@code retainHandling}, {@code ackMode},
 * {@code batch} and {@code replyOnError} accepts {@code ${...}} placeholders, and so does the
 * topic of {@code @SendTo}.
 * <p>
 * Supported method parameters:
 * <ul>
 * <li>the payload, unannotated or with {@link org.springframework.messaging.handler.annotation.Payload @Payload}:
 * {@code byte[]}, {@code String} (UTF-8), {@link java.nio.ByteBuffer}, or any type read
 * from JSON; validated with {@code @Valid} when a validator is present;</li>
 * <li>{@link org.springframework.messaging.Message Message&lt;T&gt;} with the payload converted to {@code T};</li>
 * <li>{@link TopicVariable @TopicVariable} values of template levels, converted to the
 * parameter type;</li>
 * <li>{@link org.springframework.messaging.handler.annotation.Header @Header} values, see
 * {@link io.mqttboot.support.MqttHeaders}: received topic, QoS, retained flag, duplicate
 * flag, MQTT 5 user properties (each by name, reserved names such as {@code id} as
 * {@code mqtt_userProperty_id}, and all as a map), content type, response topic,
 * correlation data, message expiry interval;</li>
 * <li>{@link org.springframework.messaging.handler.annotation.Headers @Headers}
 * {@code Map<String, Object>} or {@link org.springframework.messaging.MessageHeaders};</li>
 * <li>{@link io.mqttboot.core.MqttReceivedMessage}, the raw message;</li>
 * <li>{@link io.mqttboot.listener.MqttAcknowledgment}, to acknowledge manually (see
 * {@link #ackMode()});</li>
 * <li>anything a custom {@code HandlerMethodArgumentResolver} bean supports.</li>
 * </ul>
 * A non-void return value is the MQTT 5 reply: published on the listener's client to the
 * message's response topic with its correlation data, else to the topic of
 * {@link org.springframework.messaging.handler.annotation.SendTo @SendTo} (whose
 * {@code {name}} levels take the listener's topic variables); return a
 * {@link org.springframework.messaging.Message Message&lt;?&gt;} to set the reply's QoS,
 * retain flag, user properties or content type through its headers. The request is
 * acknowledged after the reply publish completed. See {@link #replyOnError()}.
 * <p>
 * The method runs on a listener thread, never on the network thread. QoS 1 and QoS 2
 * messages are acknowledged after it returns (or after the error handler dealt with its
 * failure), so a crash mid-method leads to redelivery with a persistent session. A method
 * returning a {@link java.util.concurrent.CompletableFuture} is acknowledged when the future
 * completes normally; an exceptional completion goes to the retry and error handling as a
 * thrown exception would. With {@link #batch()} the method receives lists of messages.
 *
 * @since 0.1.0
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(MqttListeners.class)
public @interface MqttListener {

	/**
	 * Alias for {@link #topics()}.
	 * @return the topics
	 */
	@AliasFor("topics")
	String[] value() default {};

	/**
	 * The topic filters or templates to subscribe to. Placeholders supported.
	 * @return the topics
	 */
	@AliasFor("value")
	String[] topics() default {};

	/**
	 * The unique id of the listener, for the registry and metrics. Defaults to
	 * {@code <bean class simple name>.<method name>}. Placeholders supported.
	 * @return the id
	 */
	String id() default "";

	/**
	 * The name of the client to receive with; {@code default} (the default) is the client
	 * configured with {@code mqtt.*}. Placeholders supported.
	 * @return the client name
	 */
	String client() default "";

	/**
	 * The maximum QoS to subscribe with: 0, 1 or 2. Default 1.
	 * @return the QoS
	 */
	int qos() default 1;

	/**
	 * The share group: when set, the topics are subscribed as shared subscriptions
	 * {@code $share/<group>/<topic>}, so that each message goes to one member of the group.
	 * Placeholders supported. Default none.
	 * @return the share group
	 */
	String group() default "";

	/**
	 * The number of threads processing messages, as a number or placeholder. Messages of
	 * one topic are processed in order. Defaults to {@code mqtt.listener.concurrency}.
	 * @return the concurrency
	 */
	String concurrency() default "";

	/**
	 * Whether the listener starts with the application, {@code true} or {@code false} or a
	 * placeholder. Defaults to {@code mqtt.listener.auto-startup}.
	 * @return the auto-startup flag
	 */
	String autoStartup() default "";

	/**
	 * The bean name of the {@code MqttListenerErrorHandler} for this listener. Defaults to
	 * the container factory's handler. Placeholders supported.
	 * @return the error handler bean name
	 */
	String errorHandler() default "";

	/**
	 * The bean name of the {@code MqttListenerContainerFactory} that creates this
	 * listener's container, with its own concurrency, threads, retry and error handler.
	 * Defaults to the bean named {@code mqttListenerContainerFactory}
	 * ({@code MqttListenerConfigUtils.MQTT_LISTENER_CONTAINER_FACTORY_BEAN_NAME}). An
	 * unknown name fails the startup. Placeholders supported.
	 * @return the container factory bean name
	 */
	String containerFactory() default "";

	/**
	 * The bean name of an {@code MqttMessageFilter} that decides whether this listener
	 * processes a message: rejected messages are acknowledged without invoking the method
	 * and counted. Default none. Placeholders supported.
	 * @return the filter bean name
	 */
	String filter() default "";

	/**
	 * MQTT 5 subscription option: do not receive messages published by this client
	 * [MQTT-3.8.3-3]. Not allowed with {@link #group()}. Default {@code false}.
	 * @return the no-local option
	 */
	boolean noLocal() default false;

	/**
	 * MQTT 5 subscription option: keep the retain flag as published. Default
	 * {@code false}.
	 * @return the retain-as-published option
	 */
	boolean retainAsPublished() default false;

	/**
	 * MQTT 5 subscription option: 0 send retained messages on subscribe (default), 1 only
	 * for a new subscription, 2 never.
	 * @return the retain handling
	 */
	int retainHandling() default 0;

	/**
	 * When messages are acknowledged: {@link MqttAckMode#AUTO} (the default) after the
	 * method returns, {@link MqttAckMode#MANUAL} when the method calls
	 * {@link io.mqttboot.listener.MqttAcknowledgment#acknowledge()} (from any thread, also
	 * later). A method with a {@code MqttAcknowledgment} parameter acknowledges manually
	 * whatever is set here. The worker of the topic takes its next message only once the
	 * message was acknowledged (or handed to the error handler).
	 * @return the acknowledgement mode
	 */
	MqttAckMode ackMode() default MqttAckMode.AUTO;

	/**
	 * Whether the method receives batches: its only parameter is a {@code List<T>},
	 * {@code List<Message<T>>} or {@code List<MqttReceivedMessage>}. A batch holds up to
	 * {@link #batchMaxSize()} messages of one worker, collected for at most
	 * {@link #batchMaxWait()} after the first; it is acknowledged, message by message in
	 * order, after the method returns. A failure retries the whole batch with the retry
	 * policy, then hands each of its messages to the error handler (a dead-letter handler
	 * publishes each one). Default {@code false}.
	 * @return whether to deliver batches
	 */
	boolean batch() default false;

	/**
	 * The largest batch, as a number or placeholder. Default 100. Only with
	 * {@link #batch()}. When the client sends an MQTT 5 receive maximum and
	 * {@code batchMaxSize * concurrency} exceeds half of it, batches are made smaller (a
	 * batch holds its messages unacknowledged, so it could not fill), with a warning.
	 * @return the maximum batch size
	 */
	String batchMaxSize() default "";

	/**
	 * How long a batch is collected after its first message before the method receives
	 * it, unless full earlier, as a duration ({@code 200ms}, {@code 1s}) or placeholder.
	 * Default 100 ms. Only with {@link #batch()}.
	 * @return the maximum wait
	 */
	String batchMaxWait() default "";

	/**
	 * Publish an {@link io.mqttboot.event.MqttListenerIdleEvent} when the listener
	 * received no message for this long ({@code 30s}, {@code 5m}), and again after each
	 * further interval without messages. Placeholders supported. Default none.
	 * @return the idle event interval
	 */
	String idleEventInterval() default "";

	/**
	 * Whether a failure of the method is answered with an MQTT 5 error reply (to the
	 * request's response topic, else to {@code @SendTo}) instead of the retries and the
	 * error handler: the reply carries the user property {@code mqtt-error} with the
	 * exception class and the exception message as UTF-8 payload, and the message counts
	 * as processed. Messages with nowhere to reply to take the usual error handling. Needs
	 * MQTT 5 (the startup fails on an MQTT 3.1.1 client). Default {@code false}.
	 * @return whether to reply on error
	 */
	boolean replyOnError() default false;

}
