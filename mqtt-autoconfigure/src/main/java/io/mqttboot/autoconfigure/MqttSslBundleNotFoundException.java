package io.mqttboot.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a client names an SSL bundle ({@code mqtt.ssl.bundle}) that is not
 * configured under {@code spring.ssl.bundle.*}.
 *
 * @since 0.1.0
 */
public class MqttSslBundleNotFoundException extends IllegalStateException {

	private final String property;

	private final String bundle;

	private final List<String> availableBundles;

	/**
	 * Create a new exception.
	 * @param clientName the configured client name
	 * @param property the property that names the bundle, such as {@code mqtt.ssl.bundle}
	 * @param bundle the bundle name
	 * @param availableBundles the names of the configured bundles
	 * @param cause the failure of the bundle lookup, if any
	 */
	public MqttSslBundleNotFoundException(String clientName, String property, String bundle,
			List<String> availableBundles, @Nullable Throwable cause) {
		super("MQTT client '" + clientName + "' uses SSL bundle '" + bundle + "' (" + property
				+ "), but no such bundle is configured; configured bundles: " + availableBundles, cause);
		this.property = property;
		this.bundle = bundle;
		this.availableBundles = List.copyOf(availableBundles);
	}

	/**
	 * Return the property that names the bundle.
	 * @return the property name
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return the name of the missing bundle.
	 * @return the bundle name
	 */
	public String getBundle() {
		return this.bundle;
	}

	/**
	 * Return the names of the bundles that are configured.
	 * @return the bundle names, possibly empty
	 */
	public List<String> getAvailableBundles() {
		return this.availableBundles;
	}

}
