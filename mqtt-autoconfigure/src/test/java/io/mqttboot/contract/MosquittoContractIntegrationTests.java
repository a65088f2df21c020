package io.mqttboot.contract;

/**
 * The broker contract against mosquitto (child process).
 */
class MosquittoContractIntegrationTests extends BrokerContractTests {

	MosquittoContractIntegrationTests() {
		super(ContractBroker.MOSQUITTO);
	}

}
