package io.mqttboot.autoconfigure;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttConnectionDetails;

/**
 * {@link MqttConnectionDetails} from {@link MqttClientProperties}. Credentials come from
 * {@code username}/{@code password} or, when those are unset, from the user-info of the
 * URL, which is then stripped.
 *
 * @since 0.1.0
 */
public class PropertiesMqttConnectionDetails implements MqttConnectionDetails {

	private static final Set<String> SCHEMES = Set.of("tcp", "mqtt", "ssl", "mqtts", "tls", "ws", "wss");

	private final URI serverUri;

	private final @Nullable String username;

	private final @Nullable String password;

	/**
	 * Create details from properties.
	 * @param properties the client properties
	 * @throws InvalidMqttUrlException if {@code mqtt.url} cannot be used
	 */
	public PropertiesMqttConnectionDetails(MqttClientProperties properties) {
		this(properties, "mqtt.url");
	}

	/**
	 * Create details from the properties of a client.
	 * @param properties the client properties
	 * @param urlProperty the property that holds the URL, named when it is invalid
	 * @throws InvalidMqttUrlException if the URL is not scheme://host[:port] with a
	 * supported scheme
	 */
	public PropertiesMqttConnectionDetails(MqttClientProperties properties, String urlProperty) {
		URI uri = parse(properties.getUrl(), urlProperty);
		String userInfo = uri.getRawUserInfo();
		String urlUser = null;
		String urlPassword = null;
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			urlUser = decode((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
			urlPassword = (colon >= 0) ? decode(userInfo.substring(colon + 1)) : null;
			String authority = uri.getRawAuthority();
			uri = URI.create(uri.getScheme() + "://" + authority.substring(authority.indexOf('@') + 1)
					+ ((uri.getRawPath() != null) ? uri.getRawPath() : ""));
		}
		this.serverUri = uri;
		this.username = (properties.getUsername() != null) ? properties.getUsername() : urlUser;
		this.password = (properties.getPassword() != null) ? properties.getPassword() : urlPassword;
	}

	private static URI parse(String url, String urlProperty) {
		URI uri;
		try {
			uri = URI.create(url.trim());
		}
		catch (IllegalArgumentException ex) {
			uri = null;
		}
		if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
			// Never echo the URL: it may carry a password in its user-info.
			throw new InvalidMqttUrlException(urlProperty,
					"expected scheme://host[:port] such as tcp://localhost:1883");
		}
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		if (!SCHEMES.contains(scheme)) {
			throw new InvalidMqttUrlException(urlProperty, "the scheme '" + scheme
					+ "' is not supported; use tcp:// (or mqtt://), ssl:// (or mqtts://), ws:// or wss://");
		}
		return uri;
	}

	private static String decode(String value) {
		return URLDecoder.decode(value, StandardCharsets.UTF_8);
	}

	@Override
	public URI getServerUri() {
		return this.serverUri;
	}

	@Override
	public @Nullable String getUsername() {
		return this.username;
	}

	@Override
	public @Nullable String getPassword() {
		return this.password;
	}

}
