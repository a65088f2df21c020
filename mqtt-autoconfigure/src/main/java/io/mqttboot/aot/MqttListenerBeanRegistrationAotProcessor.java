package io.mqttboot.aot;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.MqttListeners;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.core.MqttReceivedMessage;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;

/**
 * Contributes the runtime hints a native image needs for the {@link MqttListener} methods
 * of a bean: the methods are invoked reflectively, and their payload types are bound from
 * JSON by Jackson, which needs their constructors, fields and accessors.
 * <p>
 * In AOT mode the bean definitions are generated at build time, but the
 * {@code MqttListenerAnnotationBeanPostProcessor} still runs at startup and finds the
 * listener methods by reflection as it does on the JVM, so only hints are contributed here.
 * Registered in {@code META-INF/spring/aot.factories}.
 *
 * @since 0.1.0
 */
class MqttListenerBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

	private final BindingReflectionHintsRegistrar bindingRegistrar = new BindingReflectionHintsRegistrar();

	@Override
	public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = registeredBean.getBeanClass();
		Set<Method> methods = MethodIntrospector.selectMethods(beanClass,
				(MethodIntrospector.MetadataLookup<Boolean>) (method) -> isListener(method) ? Boolean.TRUE : null)
			.keySet();
		if (methods.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> {
			ReflectionHints hints = generationContext.getRuntimeHints().reflection();
			for (Method method : methods) {
				hints.registerMethod(method, ExecutableMode.INVOKE);
				for (Type payloadType : payloadTypes(method)) {
					this.bindingRegistrar.registerReflectionHints(hints, payloadType);
				}
			}
		};
	}

	private static boolean isListener(Method method) {
		return !AnnotatedElementUtils.findMergedRepeatableAnnotations(method, MqttListener.class, MqttListeners.class)
			.isEmpty();
	}

	/**
	 * Return the types a method binds from the payload: every parameter that no header,
	 * topic-variable or received-message resolver takes, and the payload type of a
	 * {@link Message} parameter.
	 */
	private static Set<Type> payloadTypes(Method method) {
		Set<Type> types = new LinkedHashSet<>();
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			Class<?> type = parameter.getParameterType();
			if (parameter.hasParameterAnnotation(Header.class) || parameter.hasParameterAnnotation(Headers.class)
					|| parameter.hasParameterAnnotation(TopicVariable.class) || MessageHeaders.class.isAssignableFrom(type)
					|| MqttReceivedMessage.class.equals(type)) {
				continue;
			}
			ResolvableType resolvable = ResolvableType.forMethodParameter(parameter);
			if (Message.class.isAssignableFrom(type)) {
				resolvable = resolvable.as(Message.class).getGeneric();
			}
			if (resolvable.resolve() != null) {
				types.add(resolvable.getType());
			}
		}
		replyType(method).ifPresent(types::add);
		return types;
	}

	/**
	 * Return the type a method's return value is written as when it is published as the
	 * MQTT 5 reply: the return type, the payload type of a {@link Message}, or the value
	 * type of a {@link CompletionStage}.
	 */
	private static Optional<Type> replyType(Method method) {
		ResolvableType resolvable = ResolvableType.forMethodReturnType(method);
		if (CompletionStage.class.isAssignableFrom(method.getReturnType())) {
			resolvable = resolvable.as(CompletionStage.class).getGeneric();
		}
		if (resolvable.resolve() != null && Message.class.isAssignableFrom(resolvable.resolve())) {
			resolvable = resolvable.as(Message.class).getGeneric();
		}
		Class<?> type = resolvable.resolve();
		if (type == null || type == void.class || type == Void.class) {
			return Optional.empty();
		}
		// Through a supertype's generic (CompletableFuture<T> as CompletionStage<T>) the
		// declared type is the variable T: use what it resolves to.
		return Optional.of((resolvable.getType() instanceof TypeVariable<?>) ? type : resolvable.getType());
	}

}
