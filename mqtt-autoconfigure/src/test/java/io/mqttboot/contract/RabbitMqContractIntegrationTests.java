package io.mqttboot.contract;

/**
 * The broker contract against RabbitMQ with its MQTT plugin (child process, MQTT 3.1.1).
 */
class RabbitMqContractIntegrationTests extends BrokerContractTests {

	RabbitMqContractIntegrationTests() {
		super(ContractBroker.RABBITMQ);
	}

}
