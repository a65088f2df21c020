package io.mqttboot.contract;

import java.util.function.Function;
import java.util.function.Supplier;

import io.mqttboot.test.HiveMqBroker;
import io.mqttboot.test.MoquetteBroker;
import io.mqttboot.test.MosquittoBroker;
import io.mqttboot.test.MqttTestBroker;
import io.mqttboot.test.MqttTestBrokerOptions;
import io.mqttboot.test.RabbitMqBroker;
import org.jspecify.annotations.Nullable;

/**
 * The brokers of the contract matrix, each a real product: what runs it, which MQTT version
 * the starter speaks to it, and why it cannot run on this machine.
 */
enum ContractBroker {

	/** mosquitto as a child process (Debian package {@code mosquitto}). */
	MOSQUITTO(5, MosquittoBroker::new,
			() -> MosquittoBroker.isInstalled() ? null : "mosquitto is not installed (apt-get install mosquitto)"),

	/** Moquette in the test's own JVM (Maven {@code de.fraunhofer.iosb.io.moquette:moquette-broker}). */
	MOQUETTE(5, MoquetteBroker::new, () -> null),

	/** HiveMQ Community Edition embedded, in a child JVM (Maven {@code com.hivemq:hivemq-community-edition-embedded}). */
	HIVEMQ(5, HiveMqBroker::new, HiveMqBroker::unavailableReason),

	/** RabbitMQ with its MQTT plugin as a child process (Debian package {@code rabbitmq-server}). */
	RABBITMQ(3, RabbitMqBroker::new,
			() -> RabbitMqBroker.isInstalled() ? null : "RabbitMQ is not installed (apt-get install -y rabbitmq-server)");

	private final int mqttVersion;

	private final Function<MqttTestBrokerOptions, MqttTestBroker> factory;

	private final Supplier<@Nullable String> unavailableReason;

	ContractBroker(int mqttVersion, Function<MqttTestBrokerOptions, MqttTestBroker> factory,
			Supplier<@Nullable String> unavailableReason) {
		this.mqttVersion = mqttVersion;
		this.factory = factory;
		this.unavailableReason = unavailableReason;
	}

	/**
	 * The {@code mqtt.version} the starter uses with this broker: RabbitMQ 3.10 closes an MQTT 5
	 * CONNECT without CONNACK.
	 */
	int mqttVersion() {
		return this.mqttVersion;
	}

	MqttTestBroker create() {
		return this.factory.apply(MqttTestBrokerOptions.defaults());
	}

	@Nullable String unavailableReason() {
		return this.unavailableReason.get();
	}

}
