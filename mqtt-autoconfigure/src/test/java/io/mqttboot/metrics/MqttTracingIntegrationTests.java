package io.mqttboot.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import brave.Tracing;
import brave.propagation.ThreadLocalCurrentTraceContext;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttReceivedMessage;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.test.MqttBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.mqttboot.ListenerContexts.awaitGranted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A trace started by the publisher continues in the listener on the other side of the
 * broker, carried as W3C {@code traceparent} in MQTT 5 user properties.
 */
class MqttTracingIntegrationTests {

	@RegisterExtension
	static final MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttAutoConfiguration.class, JacksonAutoConfiguration.class))
		.withUserConfiguration(TracingConfiguration.class, TracedListener.class);

	@Test
	void traceIdSetOnThePublishingSideShouldBeVisibleInTheListener() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl()).run((context) -> {
			awaitGranted(context.getBean(MqttClientManager.class));
			Tracer tracer = context.getBean(Tracer.class);
			Span request = tracer.nextSpan().name("request").start();
			try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
				context.getBean(MqttTemplate.class).newMessage("traced").topic("traced/a").qos(1).publish();
			}
			request.end();
			TracedListener listener = context.getBean(TracedListener.class);
			await().untilAsserted(() -> assertThat(listener.traceIds).hasSize(1));
			assertThat(listener.traceparents.get(0)).startsWith("00-").contains(request.context().traceId());
			assertThat(listener.traceIds.get(0)).isEqualTo(request.context().traceId());
		});
	}

	@Test
	void onMqtt311TheMessageShouldArriveWithoutTraceContext() {
		this.contextRunner.withPropertyValues("mqtt.url=" + broker.getUrl(), "mqtt.version=3").run((context) -> {
			awaitGranted(context.getBean(MqttClientManager.class));
			Tracer tracer = context.getBean(Tracer.class);
			Span request = tracer.nextSpan().name("request").start();
			try (Tracer.SpanInScope scope = tracer.withSpan(request)) {
				context.getBean(MqttTemplate.class).newMessage("plain").topic("traced/b").qos(1).publish();
			}
			request.end();
			TracedListener listener = context.getBean(TracedListener.class);
			await().untilAsserted(() -> assertThat(listener.traceIds).hasSize(1));
			assertThat(listener.traceIds.get(0)).isNotEqualTo(request.context().traceId());
			assertThat(listener.traceparents.get(0)).isEqualTo("none");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class TracingConfiguration {

		@Bean(destroyMethod = "close")
		Tracing braveTracing() {
			return Tracing.newBuilder()
				.currentTraceContext(ThreadLocalCurrentTraceContext.create())
				.propagationFactory(new W3CPropagation())
				.build();
		}

		@Bean
		Tracer tracer(Tracing tracing) {
			return new BraveTracer(tracing.tracer(), new BraveCurrentTraceContext(tracing.currentTraceContext()));
		}

		@Bean
		ObservationRegistry observationRegistry(Tracer tracer, Tracing tracing) {
			ObservationRegistry registry = ObservationRegistry.create();
			BravePropagator propagator = new BravePropagator(tracing);
			registry.observationConfig()
				.observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
						new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
						new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
						new DefaultTracingObservationHandler(tracer)));
			return registry;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TracedListener {

		final List<String> traceIds = new CopyOnWriteArrayList<>();

		final List<String> traceparents = new CopyOnWriteArrayList<>();

		private final Tracer tracer;

		TracedListener(Tracer tracer) {
			this.tracer = tracer;
		}

		@MqttListener(topics = "traced/+", qos = 1)
		void onMessage(MqttReceivedMessage message) {
			Span current = this.tracer.currentSpan();
			this.traceparents.add(message.getUserProperties()
				.stream()
				.filter((property) -> property.getKey().equals("traceparent"))
				.map(Map.Entry::getValue)
				.findFirst()
				.orElse("none"));
			this.traceIds.add((current != null) ? current.context().traceId() : "no span");
		}

	}

}
