package io.mqttboot.aot;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.core.MqttReceivedMessage;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.javapoet.ClassName;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hints for {@code @MqttListener} methods: the method is invocable, the payload types
 * (also inside {@link Message} and collections) are bound, header and topic-variable
 * parameters are not.
 */
class MqttListenerBeanRegistrationAotProcessorTests {

	private final MqttListenerBeanRegistrationAotProcessor processor = new MqttListenerBeanRegistrationAotProcessor();

	@Test
	void listenerMethodsShouldBeInvocableAndTheirPayloadTypesBound() {
		RuntimeHints hints = process(Listeners.class);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(ReflectionUtils.findMethod(Listeners.class, "onReading", Reading.class, String.class)))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(ReflectionUtils.findMethod(Listeners.class, "onAlarm", Message.class,
					MqttReceivedMessage.class)))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Reading.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Alarm.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Batch.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Location.class)).rejects(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Listeners.class)
			.withAnyMemberCategory(MemberCategory.INVOKE_DECLARED_METHODS)).rejects(hints);
	}

	@Test
	void replyTypesOfListenerMethodsShouldBeBound() {
		RuntimeHints hints = process(Responders.class);
		assertThat(RuntimeHintsPredicates.reflection().onType(Reply.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Alarm.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Location.class)).accepts(hints);
	}

	@Test
	void beanWithoutListenerMethodsShouldContributeNothing() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("plain", new RootBeanDefinition(Location.class));
		assertThat(this.processor.processAheadOfTime(RegisteredBean.of(beanFactory, "plain"))).isNull();
	}

	private RuntimeHints process(Class<?> beanClass) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("bean", new RootBeanDefinition(beanClass));
		BeanRegistrationAotContribution contribution = this.processor
			.processAheadOfTime(RegisteredBean.of(beanFactory, "bean"));
		assertThat(contribution).isNotNull();
		DefaultGenerationContext context = new DefaultGenerationContext(new ClassNameGenerator(ClassName.get(getClass())),
				new InMemoryGeneratedFiles());
		contribution.applyTo(context, null);
		return context.getRuntimeHints();
	}

	record Reading(String sensor, double celsius) {
	}

	record Alarm(String text) {
	}

	record Batch(List<Reading> readings) {
	}

	record Location(String building) {
	}

	record Reply(String status) {
	}

	static class Responders {

		@MqttListener(topics = "rpc/status")
		Reply onStatus(String request) {
			return new Reply(request);
		}

		@MqttListener(topics = "rpc/alarm")
		Message<Alarm> onAlarm(String request) {
			return null;
		}

		@MqttListener(topics = "rpc/locate")
		CompletableFuture<Location> onLocate(String request) {
			return null;
		}

	}

	static class Listeners {

		@MqttListener(topics = "readings/{device}")
		void onReading(Reading reading, @TopicVariable String device) {
		}

		@MqttListener(topics = "alarms")
		void onAlarm(Message<Alarm> alarm, MqttReceivedMessage received) {
		}

		@MqttListener(topics = "batches")
		void onBatch(List<Batch> batches, @Header("location") Location location) {
		}

		void notAListener(Location location) {
		}

	}

}
