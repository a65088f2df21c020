package io.mqttboot.contract;

import org.junit.jupiter.api.Assumptions;

/**
 * A documented limitation of a broker of the contract matrix: the contract rows it affects are
 * skipped with this reason, shown in the test report, instead of passing silently. Each reason
 * names its source. docs/brokers.md lists the same table.
 */
enum BrokerLimitation {

	/** RabbitMQ 3.10 speaks MQTT 3.1.1 only and does not support QoS 2. */
	RABBITMQ_NO_QOS_2(ContractBroker.RABBITMQ, Feature.QOS_2,
			"RabbitMQ 3.10 MQTT plugin: MQTT 3.1.1 only, QoS 2 not supported: a QoS 2 subscription is granted QoS 1 and"
					+ " a QoS 2 PUBLISH is answered with PUBACK (measured in RabbitMqQos2IntegrationTests; RabbitMQ"
					+ " MQTT plugin guide, https://www.rabbitmq.com/docs/mqtt); see docs/brokers.md"),

	/** Shared subscriptions are an MQTT 5 feature; RabbitMQ 3.10 speaks MQTT 3.1.1 only. */
	RABBITMQ_NO_SHARED_SUBSCRIPTIONS(ContractBroker.RABBITMQ, Feature.SHARED_SUBSCRIPTIONS,
			"RabbitMQ 3.10 MQTT plugin: MQTT 3.1.1 only, and shared subscriptions ($share/<group>/<filter>) are an"
					+ " MQTT 5 feature [MQTT 5.0 4.8.2] (RabbitMQ MQTT plugin guide,"
					+ " https://www.rabbitmq.com/docs/mqtt); see docs/brokers.md"),

	/** Request/reply needs MQTT 5's response topic and correlation data. */
	RABBITMQ_NO_REQUEST_REPLY(ContractBroker.RABBITMQ, Feature.REQUEST_REPLY,
			"RabbitMQ 3.10 MQTT plugin: MQTT 3.1.1 only, which has no response topic or correlation data"
					+ " [MQTT 5.0 4.10]; MqttTemplate.sendAndReceive fails fast on MQTT 3.1.1 (tested in"
					+ " MqttRequestReplyIntegrationTests); see docs/brokers.md"),

	/** MQTT 3.1.1 has no session expiry: a clean session ends with its connection. */
	RABBITMQ_CLEAN_SESSION_ENDS_WITH_CONNECTION(ContractBroker.RABBITMQ, Feature.SESSION_EXPIRY_AFTER_CLEAN_START,
			"RabbitMQ 3.10 MQTT plugin: MQTT 3.1.1 only, which has no session expiry: the session of a connection made"
					+ " with clean session 1 (mqtt.clean-start=true) ends with that connection [MQTT-3.1.2-6], so QoS 1"
					+ " messages published during a cut are lost; use mqtt.clean-start=false"),

	/** Moquette resumes the session but has dropped its queued messages. */
	MOQUETTE_CLEAN_START_QUEUE_DROPPED(ContractBroker.MOQUETTE, Feature.SESSION_EXPIRY_AFTER_CLEAN_START,
			"Moquette 0.18: an MQTT 5 session started with clean start 1 and a session expiry of 5 minutes is"
					+ " reported present after a cut (CONNACK session present 1), but the 10 QoS 1 messages published"
					+ " during the cut never arrive (measured by this suite); use mqtt.clean-start=false");

	private final ContractBroker broker;

	private final Feature feature;

	private final String reason;

	BrokerLimitation(ContractBroker broker, Feature feature, String reason) {
		this.broker = broker;
		this.feature = feature;
		this.reason = reason;
	}

	String reason() {
		return this.reason;
	}

	/**
	 * Skip the running test, with the limitation's reason, when the broker has a documented
	 * limitation for the feature.
	 * @param broker the broker under test
	 * @param feature the feature the test needs
	 */
	static void skipIfLimited(ContractBroker broker, Feature feature) {
		for (BrokerLimitation limitation : values()) {
			if (limitation.broker == broker && limitation.feature == feature) {
				Assumptions.abort(limitation.name() + ": " + limitation.reason);
			}
		}
	}

	/**
	 * What a contract row needs from the broker.
	 */
	enum Feature {

		/** Publishing and subscribing with QoS 2. */
		QOS_2,

		/** Shared subscriptions ({@code $share/<group>/<filter>}). */
		SHARED_SUBSCRIPTIONS,

		/** MQTT 5 request/reply (response topic and correlation data). */
		REQUEST_REPLY,

		/** A session started with clean start 1 that the broker keeps for its session expiry (MQTT 5). */
		SESSION_EXPIRY_AFTER_CLEAN_START

	}

}
