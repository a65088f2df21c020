package io.mqttboot.test;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * Integration tests for {@link MqttBrokerExtension} used through {@link MqttBrokerTest}.
 */
@MqttBrokerTest(maxInflightMessages = 7)
class MqttBrokerExtensionIntegrationTests {

	private static MqttTestBroker beforeAllBroker;

	private final MqttTestBroker constructorBroker;

	MqttBrokerExtensionIntegrationTests(MqttTestBroker broker) {
		this.constructorBroker = broker;
	}

	@BeforeAll
	static void captureBroker(MqttTestBroker broker) {
		beforeAllBroker = broker;
	}

	@Test
	void everyInjectionPointShouldGetTheSameRunningBroker(MqttTestBroker broker) {
		assertThat(broker).isSameAs(this.constructorBroker).isSameAs(beforeAllBroker);
		assertThat(broker.isRunning()).isTrue();
		assertThat(broker.getOptions().getMaxInflightMessages()).isEqualTo(7);
	}

	@Test
	void afterAllShouldCloseTheBroker() {
		EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(PlainBrokerCase.class))
			.execute()
			.testEvents()
			.assertStatistics((stats) -> stats.succeeded(1));
		assertThat(PlainBrokerCase.broker.isRunning()).isFalse();
	}

	@Test
	void moquetteFallbackShouldSkipClassesThatNeedAPasswordFile() {
		String previous = System.setProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY, "moquette");
		try {
			EngineTestKit.engine("junit-jupiter")
				.selectors(selectClass(PasswordFileCase.class))
				.execute()
				.containerEvents()
				.assertThatEvents()
				.haveExactly(1, event(container(PasswordFileCase.class), abortedWithReason(
						message((reason) -> reason.contains("Moquette fallback broker cannot provide users")))));
		}
		finally {
			MoquetteBrokerIntegrationTests.restore(previous);
		}
	}

	@Test
	void instanceFieldRegistrationShouldBeRejected() {
		EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(InstanceFieldCase.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, event(finishedWithFailure(message((text) -> text.contains("must be registered on a static field")))));
	}

	@Nested
	class NestedTests {

		@Test
		void nestedClassShouldShareTheEnclosingBroker(MqttTestBroker broker) {
			assertThat(broker).isSameAs(MqttBrokerExtensionIntegrationTests.this.constructorBroker);
		}

	}

	@MqttBrokerTest
	static class PlainBrokerCase {

		static MqttTestBroker broker;

		@Test
		void test(MqttTestBroker broker) {
			PlainBrokerCase.broker = broker;
		}

	}

	@MqttBrokerTest(users = "alice:secret")
	static class PasswordFileCase {

		@Test
		void test() {
		}

	}

	static class InstanceFieldCase {

		@RegisterExtension
		MqttBrokerExtension broker = MqttBrokerExtension.builder().build();

		@Test
		void test() {
		}

	}

}
