package io.mqttboot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a parameter of an {@link MqttListener} method to a {@code {name}} level of its
 * topic template: with {@code sensors/{deviceId}/temp}, a message on
 * {@code sensors/7/temp} binds {@code "7"} to the parameter named {@code deviceId},
 * converted to the parameter type.
 * <p>
 * Checked at startup: with several topics, every one of them must define the variable,
 * and the parameter type must be convertible from {@code String} (a number, an enum,
 * {@code String}, or a type with a static {@code valueOf(String)}, {@code of(String)} or
 * {@code from(String)} method or a {@code String} constructor); otherwise the listener fails
 * the startup rather than every message.
 *
 * @since 0.1.0
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TopicVariable {

	/**
	 * The variable name; defaults to the parameter name (compile with {@code -parameters}).
	 * @return the variable name
	 */
	String value() default "";

}
