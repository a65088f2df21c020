import java.nio.file.Path;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

/**
 * Runs HiveMQ Community Edition embedded in a JVM of its own, started by io.mqttboot.test.HiveMqBroker
 * in Java's source-file mode: its configuration, data and extensions folders are below args[0].
 * HiveMQ CE refuses every client until a security extension allows it; the embedded extension
 * below allows anonymous clients, as mosquitto's test configuration does. A SIGTERM stops the
 * broker gracefully.
 */
public class HiveMqCeLauncher {

	public static void main(String[] args) throws Exception {
		Path home = Path.of(args[0]);
		ExtensionMain allowAll = new ExtensionMain() {

			@Override
			public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
				Services.securityRegistry()
					.setAuthenticatorProvider((providerInput) -> (SimpleAuthenticator) (connect,
							result) -> result.authenticateSuccessfully());
			}

			@Override
			public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
			}

		};
		EmbeddedExtension extension = EmbeddedExtension.builder()
			.withId("mqttboot-allow-all")
			.withName("mqttboot test: allow anonymous clients")
			.withVersion("1")
			.withAuthor("mqttboot")
			.withPriority(0)
			.withStartPriority(1000)
			.withExtensionMain(allowAll)
			.build();
		EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
			.withConfigurationFolder(home.resolve("conf"))
			.withDataFolder(home.resolve("data"))
			.withExtensionsFolder(home.resolve("extensions"))
			.withEmbeddedExtension(extension)
			.build();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> hivemq.stop().join()));
		hivemq.start().join();
		System.out.println("mqttboot: HiveMQ CE started");
	}

}
