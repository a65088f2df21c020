package io.mqttboot.test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link FaultProxy} in front of a real broker.
 */
@MqttBrokerTest
class FaultProxyIntegrationTests {

	private final MqttTestBroker broker;

	private FaultProxy proxy;

	FaultProxyIntegrationTests(MqttTestBroker broker) {
		this.broker = broker;
	}

	@BeforeEach
	void startProxy() {
		this.proxy = FaultProxy.to(this.broker);
	}

	@AfterEach
	void closeProxy() {
		this.proxy.close();
	}

	@Test
	void messagesShouldPassThroughTheProxy() {
		try (TestClient subscriber = TestClient.to(this.proxy.getUrl()).connect();
				TestClient publisher = TestClient.to(this.proxy.getUrl()).connect()) {
			assertThat(this.proxy.connectionCount()).isEqualTo(2);
			subscriber.subscribe("proxy/pass");
			publisher.publish("proxy/pass", "through");
			await().until(subscriber::received, (received) -> received.contains("proxy/pass=through"));
		}
	}

	@Test
	void cutAllShouldDisconnectClientsAndStillAcceptNewConnections() {
		try (TestClient client = TestClient.to(this.proxy.getUrl()).connect()) {
			this.proxy.cutAll();
			await().until(client::disconnects, (disconnects) -> disconnects >= 1);
			assertThat(client.isConnected()).isFalse();
			assertThat(this.proxy.connectionCount()).isZero();
		}
		try (TestClient client = TestClient.to(this.proxy.getUrl()).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void freezeShouldHoldAPublishAndUnfreezeShouldDeliverIt() {
		try (TestClient subscriber = TestClient.to(this.broker.getUrl()).connect();
				TestClient publisher = TestClient.to(this.proxy.getUrl()).connect()) {
			subscriber.subscribe("proxy/frozen");
			this.proxy.freeze();
			CompletableFuture<Mqtt5PublishResult> published = publisher.publishAsync("proxy/frozen", "held");
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(2))
				.until(() -> subscriber.received().isEmpty() && !published.isDone());
			assertThat(publisher.isConnected()).isTrue();
			this.proxy.unfreeze();
			await().until(subscriber::received, (received) -> received.contains("proxy/frozen=held"));
			await().until(published::isDone);
			assertThat(published).isCompleted();
		}
	}

	@Test
	void rejectNewShouldRefuseConnectionsUntilRestored() {
		this.proxy.rejectNew(true);
		try (TestClient client = TestClient.to(this.proxy.getUrl())) {
			assertThatRuntimeException().isThrownBy(client::connect);
		}
		this.proxy.restore();
		try (TestClient client = TestClient.to(this.proxy.getUrl()).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void proxyShouldKeepWorkingWhenTheBrokerRestarts() {
		this.broker.restart();
		try (TestClient client = TestClient.to(this.proxy.getUrl()).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void closeShouldResetConnectionsAndStopAccepting() {
		try (TestClient client = TestClient.to(this.proxy.getUrl()).connect()) {
			this.proxy.freeze();
			this.proxy.close();
			await().until(client::disconnects, (disconnects) -> disconnects >= 1);
			assertThat(this.proxy.connectionCount()).isZero();
		}
		try (TestClient client = TestClient.to(this.proxy.getUrl())) {
			assertThatRuntimeException().isThrownBy(client::connect);
		}
	}

}
