package io.mqttboot.contract;

/**
 * The broker contract against HiveMQ Community Edition (child JVM).
 */
class HiveMqContractIntegrationTests extends BrokerContractTests {

	HiveMqContractIntegrationTests() {
		super(ContractBroker.HIVEMQ);
	}

}
