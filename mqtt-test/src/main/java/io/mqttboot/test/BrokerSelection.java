package io.mqttboot.test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Which {@link MqttTestBroker} implementation runs, and what it cannot provide.
 * <p>
 * Kept apart from {@link MoquetteBroker} so that deciding never loads a Moquette class: Moquette is
 * an optional dependency.
 */
final class BrokerSelection {

	private static final String MOQUETTE_SERVER_CLASS = "io.moquette.broker.Server";

	private final boolean moquette;

	private final boolean hivemq;

	private BrokerSelection(boolean moquette) {
		this(moquette, false);
	}

	private BrokerSelection(boolean moquette, boolean hivemq) {
		this.moquette = moquette;
		this.hivemq = hivemq;
	}

	static BrokerSelection select() {
		String value = System.getProperty(MqttTestBroker.IMPLEMENTATION_PROPERTY, "auto").trim()
			.toLowerCase(Locale.ROOT);
		switch (value) {
			case "mosquitto":
				if (MosquittoBroker.findBinary() == null) {
					throw new IllegalStateException("System property " + MqttTestBroker.IMPLEMENTATION_PROPERTY
							+ "=mosquitto, but no mosquitto binary was found on the PATH or in " + MosquittoBroker.SEARCH_DIRS
							+ "; install it with 'apt-get install mosquitto'");
				}
				return new BrokerSelection(false);
			case "moquette":
				requireMoquette("System property " + MqttTestBroker.IMPLEMENTATION_PROPERTY + "=moquette");
				return new BrokerSelection(true);
			case "hivemq":
				String unavailable = HiveMqBroker.unavailableReason();
				if (unavailable != null) {
					throw new IllegalStateException("System property " + MqttTestBroker.IMPLEMENTATION_PROPERTY
							+ "=hivemq, but HiveMQ CE cannot run: " + unavailable);
				}
				return new BrokerSelection(false, true);
			case "auto":
			case "":
				Path binary = MosquittoBroker.findBinary();
				if (binary != null) {
					return new BrokerSelection(false);
				}
				requireMoquette("No mosquitto binary was found on the PATH or in " + MosquittoBroker.SEARCH_DIRS);
				return new BrokerSelection(true);
			default:
				throw new IllegalStateException("Invalid value '" + value + "' for system property "
						+ MqttTestBroker.IMPLEMENTATION_PROPERTY + ": expected mosquitto, moquette, hivemq or auto");
		}
	}

	boolean isMoquette() {
		return this.moquette;
	}

	/**
	 * Return why the selected implementation cannot run a broker with the given options.
	 * @param options the options
	 * @return the reason, or {@code null} when the implementation provides everything asked for
	 */
	@Nullable String unsupportedReason(MqttTestBrokerOptions options) {
		if (this.hivemq) {
			return HiveMqBroker.unsupportedReason(options);
		}
		return this.moquette ? moquetteUnsupportedReason(options) : null;
	}

	static @Nullable String moquetteUnsupportedReason(MqttTestBrokerOptions options) {
		List<String> missing = new ArrayList<>();
		if (options.isPersistence()) {
			missing.add("persistence (an in-process broker cannot survive a kill)");
		}
		if (!options.getUsers().isEmpty()) {
			missing.add("users (password file)");
		}
		if (!options.isAllowAnonymous()) {
			missing.add("allowAnonymous=false");
		}
		if (!options.getAcl().isEmpty()) {
			missing.add("acl");
		}
		if (!options.getExtraConfig().isEmpty()) {
			missing.add("extraConfig (mosquitto configuration lines)");
		}
		if (missing.isEmpty()) {
			return null;
		}
		return "The Moquette fallback broker cannot provide " + String.join(", ", missing)
				+ "; install mosquitto ('apt-get install mosquitto') to run this test";
	}

	MqttTestBroker create(MqttTestBrokerOptions options) {
		String reason = unsupportedReason(options);
		if (reason != null) {
			throw new IllegalStateException(reason);
		}
		if (this.hivemq) {
			return new HiveMqBroker(options);
		}
		return this.moquette ? new MoquetteBroker(options) : new MosquittoBroker(options);
	}

	private static void requireMoquette(String why) {
		try {
			Class.forName(MOQUETTE_SERVER_CLASS, false, BrokerSelection.class.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(why + ", and the Moquette fallback is not on the classpath: "
					+ "install mosquitto ('apt-get install mosquitto') or add the test dependency "
					+ "de.fraunhofer.iosb.io.moquette:moquette-broker", ex);
		}
	}

}
