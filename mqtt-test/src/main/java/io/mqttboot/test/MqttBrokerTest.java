package io.mqttboot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against its own real MQTT broker, started before the first test and stopped
 * after the last.
 * <p>
 * The broker is a {@link MqttTestBroker}, injected into any constructor, lifecycle or test method
 * parameter of that type: mosquitto when installed, otherwise Moquette (see
 * {@link MqttTestBroker#create(MqttTestBrokerOptions)}). When Moquette runs and an attribute asks
 * for something it cannot provide ({@link #persistence()}, {@link #users()},
 * {@link #allowAnonymous()} {@code false}, {@link #acl()}, {@link #extraConfig()}), the test class
 * is skipped with the reason. {@code @Nested} classes share the enclosing class's broker unless
 * they carry this annotation themselves. Attributes do not resolve {@code ${...}} placeholders.
 * <pre class="code">
 * &#064;MqttBrokerTest(users = "alice:secret", allowAnonymous = false)
 * class ValveIntegrationTests {
 *
 *     &#064;Test
 *     void valveOpensOnCommand(MqttTestBroker broker) {
 *         // connect a client to broker.getUrl()
 *     }
 * }
 * </pre>
 * For a Spring test, or to reach the broker from a static method, register
 * {@link MqttBrokerExtension} on a static field instead.
 *
 * @since 0.1.0
 * @see MqttBrokerExtension
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(MqttBrokerExtension.class)
public @interface MqttBrokerTest {

	/**
	 * Whether the broker keeps sessions and queued messages across stop, kill and start. Default
	 * {@code false}. See {@link MosquittoBroker} for what a kill can lose.
	 * @return whether persistence is on
	 */
	boolean persistence() default false;

	/**
	 * Whether clients may connect without a username. Default {@code true}.
	 * @return whether anonymous clients are allowed
	 */
	boolean allowAnonymous() default true;

	/**
	 * Users of the broker's password file, each {@code username:password} (the password is
	 * everything after the first {@code ':'}). Default none.
	 * @return the user entries
	 */
	String[] users() default {};

	/**
	 * Lines of the broker's ACL file in mosquitto {@code acl_file} syntax, for example
	 * {@code {"user alice", "topic read sensors/#"}}. Lines before the first {@code user} line
	 * apply to anonymous clients. Default none: every client may use every topic.
	 * @return the ACL lines
	 */
	String[] acl() default {};

	/**
	 * Largest packet the broker accepts, in bytes. Default {@code 0}: the broker's default.
	 * @return the maximum packet size
	 */
	int maxPacketSize() default 0;

	/**
	 * How many QoS 1/2 messages the broker keeps in flight per client. Default {@code 0}: the
	 * broker's default.
	 * @return the maximum in-flight messages
	 */
	int maxInflightMessages() default 0;

	/**
	 * How many QoS 1/2 messages the broker queues per client beyond those in flight; {@code 0}
	 * means no limit. Default {@value MqttTestBrokerOptions#DEFAULT_MAX_QUEUED_MESSAGES}.
	 * @return the maximum queued messages
	 */
	int maxQueuedMessages() default MqttTestBrokerOptions.DEFAULT_MAX_QUEUED_MESSAGES;

	/**
	 * Lines appended verbatim to the generated mosquitto configuration. Default none.
	 * @return the extra configuration lines
	 */
	String[] extraConfig() default {};

}
