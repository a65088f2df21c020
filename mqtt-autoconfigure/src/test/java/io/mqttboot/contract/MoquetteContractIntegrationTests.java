package io.mqttboot.contract;

/**
 * The broker contract against Moquette (in-process).
 */
class MoquetteContractIntegrationTests extends BrokerContractTests {

	MoquetteContractIntegrationTests() {
		super(ContractBroker.MOQUETTE);
	}

}
