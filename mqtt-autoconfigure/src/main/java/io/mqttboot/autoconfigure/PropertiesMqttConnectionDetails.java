package io.mqttboot.autoconfigure;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.mqttboot.core.MqttConnectionDetails;

/**
 * {@link MqttConnectionDetails} from {@link MqttClientProperties}: {@code url} for one
 * broker or {@code urls} for several, tried in turn. Credentials come from
 * {@code username}/{@code password} or, when those are unset, from the user-info of the
 * URL, which is then stripped; the URLs of a list must agree on it.
 *
 * @since 0.1.0
 */
public class PropertiesMqttConnectionDetails implements MqttConnectionDetails {

	private static final Set<String> SCHEMES = Set.of("tcp", "mqtt", "ssl", "mqtts", "tls", "ws", "wss");

	private final List<URI> serverUris;

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
	 * @throws InvalidMqttUrlException if a URL is not scheme://host[:port] with a
	 * supported scheme, the URLs of a list differ in scheme or user-info, or both the
	 * URL and a list are set
	 */
	public PropertiesMqttConnectionDetails(MqttClientProperties properties, String urlProperty) {
		String urlsProperty = urlProperty + "s";
		List<String> urls = properties.getUrls();
		if (!urls.isEmpty() && !MqttClientProperties.DEFAULT_URL.equals(properties.getUrl())) {
			// Which one was meant cannot be told: refuse rather than guess.
			throw new InvalidMqttUrlException(urlsProperty, "both " + urlProperty + " and " + urlsProperty
					+ " are set; set " + urlProperty + " for one broker or " + urlsProperty + " for several, not both");
		}
		List<String> given = urls.isEmpty() ? List.of(properties.getUrl()) : urls;
		List<URI> serverUris = new ArrayList<>(given.size());
		String userInfo = null;
		for (int i = 0; i < given.size(); i++) {
			String property = urls.isEmpty() ? urlProperty : urlsProperty + "[" + i + "]";
			URI uri = parse(given.get(i), property);
			if (!serverUris.isEmpty() && !scheme(uri).equals(scheme(serverUris.get(0)))) {
				throw new InvalidMqttUrlException(property, "the scheme '" + uri.getScheme().toLowerCase(Locale.ROOT)
						+ "' differs from the one of " + urlsProperty + "[0] ('"
						+ serverUris.get(0).getScheme().toLowerCase(Locale.ROOT)
						+ "'); every server of a list must be reached the same way");
			}
			String uriUserInfo = uri.getRawUserInfo();
			if (uriUserInfo != null) {
				if (userInfo != null && !userInfo.equals(uriUserInfo)) {
					// Never echo the user-info: it may carry a password.
					throw new InvalidMqttUrlException(property, "its user-info differs from an earlier URL of "
							+ urlsProperty + "; one set of credentials applies to every server, set it once with "
							+ "username and password");
				}
				userInfo = uriUserInfo;
				String authority = uri.getRawAuthority();
				uri = URI.create(uri.getScheme() + "://" + authority.substring(authority.indexOf('@') + 1)
						+ ((uri.getRawPath() != null) ? uri.getRawPath() : ""));
			}
			serverUris.add(uri);
		}
		String urlUser = null;
		String urlPassword = null;
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			urlUser = decode((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
			urlPassword = (colon >= 0) ? decode(userInfo.substring(colon + 1)) : null;
		}
		this.serverUris = List.copyOf(serverUris);
		this.username = (properties.getUsername() != null) ? properties.getUsername() : urlUser;
		this.password = (properties.getPassword() != null) ? properties.getPassword() : urlPassword;
	}

	private static String scheme(URI uri) {
		// tcp and mqtt, ssl, mqtts and tls name the same transport.
		return switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
			case "mqtt" -> "tcp";
			case "mqtts", "tls" -> "ssl";
			default -> uri.getScheme().toLowerCase(Locale.ROOT);
		};
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
		return this.serverUris.get(0);
	}

	@Override
	public List<URI> getServerUris() {
		return this.serverUris;
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
