package io.mqttboot.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable settings for a {@link MqttTestBroker}: what the generated broker configuration
 * contains.
 * <p>
 * One value object serves the builder, the {@link MqttBrokerTest} annotation and both broker
 * implementations, so a test states what it needs once and the chosen implementation either honours
 * it or says which part it cannot honour (see {@link MqttTestBroker#create(MqttTestBrokerOptions)}).
 *
 * @since 0.1.0
 */
public final class MqttTestBrokerOptions {

	/**
	 * Default for {@link #getMaxQueuedMessages()}: generous, so that tests which queue many QoS 1/2
	 * messages for an offline persistent session never see the broker drop them (mosquitto's own
	 * default is 1000).
	 */
	public static final int DEFAULT_MAX_QUEUED_MESSAGES = 100_000;

	/**
	 * Default for {@link #getStartupTimeout()}.
	 */
	public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final MqttTestBrokerOptions DEFAULTS = builder().build();

	private final boolean persistence;

	private final boolean allowAnonymous;

	private final Map<String, String> users;

	private final List<String> acl;

	private final int maxPacketSize;

	private final int maxInflightMessages;

	private final int maxQueuedMessages;

	private final List<String> extraConfig;

	private final Duration startupTimeout;

	private MqttTestBrokerOptions(Builder builder) {
		this.persistence = builder.persistence;
		this.allowAnonymous = builder.allowAnonymous;
		this.users = Collections.unmodifiableMap(new LinkedHashMap<>(builder.users));
		this.acl = List.copyOf(builder.acl);
		this.maxPacketSize = builder.maxPacketSize;
		this.maxInflightMessages = builder.maxInflightMessages;
		this.maxQueuedMessages = builder.maxQueuedMessages;
		this.extraConfig = List.copyOf(builder.extraConfig);
		this.startupTimeout = builder.startupTimeout;
	}

	/**
	 * Return the default options: anonymous access, no persistence, no users, no ACL.
	 * @return the default options
	 */
	public static MqttTestBrokerOptions defaults() {
		return DEFAULTS;
	}

	/**
	 * Start building options.
	 * @return a new builder with the defaults set
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Whether the broker keeps sessions, subscriptions, queued and retained messages across
	 * {@link MqttTestBroker#stop() stop}, {@link MqttTestBroker#kill() kill} and
	 * {@link MqttTestBroker#start() start} of the same broker instance.
	 * @return whether persistence is on
	 */
	public boolean isPersistence() {
		return this.persistence;
	}

	/**
	 * Whether clients may connect without a username.
	 * @return whether anonymous clients are allowed
	 */
	public boolean isAllowAnonymous() {
		return this.allowAnonymous;
	}

	/**
	 * Return the users the broker accepts, username to password.
	 * @return the users, in the order they were added; empty for no password file
	 */
	public Map<String, String> getUsers() {
		return this.users;
	}

	/**
	 * Return the lines of the broker's ACL file (mosquitto {@code acl_file} syntax).
	 * @return the ACL lines; empty for no ACL file
	 */
	public List<String> getAcl() {
		return this.acl;
	}

	/**
	 * Return the largest packet the broker accepts, in bytes.
	 * @return the maximum packet size, or {@code 0} for the broker's default
	 */
	public int getMaxPacketSize() {
		return this.maxPacketSize;
	}

	/**
	 * Return how many QoS 1/2 messages the broker keeps in flight per client (its MQTT 5 receive
	 * maximum).
	 * @return the maximum in-flight messages, or {@code 0} for the broker's default
	 */
	public int getMaxInflightMessages() {
		return this.maxInflightMessages;
	}

	/**
	 * Return how many QoS 1/2 messages the broker queues per client beyond those in flight.
	 * @return the maximum queued messages; {@code 0} means no limit
	 */
	public int getMaxQueuedMessages() {
		return this.maxQueuedMessages;
	}

	/**
	 * Return extra lines appended verbatim to the generated mosquitto configuration, for example a
	 * TLS listener.
	 * @return the extra configuration lines
	 */
	public List<String> getExtraConfig() {
		return this.extraConfig;
	}

	/**
	 * Return how long {@link MqttTestBroker#start()} waits for the broker to accept connections.
	 * @return the startup timeout
	 */
	public Duration getStartupTimeout() {
		return this.startupTimeout;
	}

	/**
	 * Return a builder initialised with these options.
	 * @return a new builder
	 */
	public Builder toBuilder() {
		Builder builder = new Builder();
		builder.persistence = this.persistence;
		builder.allowAnonymous = this.allowAnonymous;
		builder.users.putAll(this.users);
		builder.acl.addAll(this.acl);
		builder.maxPacketSize = this.maxPacketSize;
		builder.maxInflightMessages = this.maxInflightMessages;
		builder.maxQueuedMessages = this.maxQueuedMessages;
		builder.extraConfig.addAll(this.extraConfig);
		builder.startupTimeout = this.startupTimeout;
		return builder;
	}

	@Override
	public String toString() {
		// Never print the passwords.
		return "MqttTestBrokerOptions[persistence=" + this.persistence + ", allowAnonymous=" + this.allowAnonymous
				+ ", users=" + this.users.keySet() + ", acl=" + this.acl.size() + " lines, maxPacketSize="
				+ this.maxPacketSize + ", maxInflightMessages=" + this.maxInflightMessages + ", maxQueuedMessages="
				+ this.maxQueuedMessages + ", extraConfig=" + this.extraConfig.size() + " lines]";
	}

	/**
	 * Builder for {@link MqttTestBrokerOptions}.
	 *
	 * @since 0.1.0
	 */
	public static final class Builder {

		private boolean persistence;

		private boolean allowAnonymous = true;

		private final Map<String, String> users = new LinkedHashMap<>();

		private final List<String> acl = new ArrayList<>();

		private int maxPacketSize;

		private int maxInflightMessages;

		private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;

		private final List<String> extraConfig = new ArrayList<>();

		private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;

		private Builder() {
		}

		/**
		 * Set whether the broker persists its state across restarts of the same instance. Default
		 * {@code false}.
		 * @param persistence whether persistence is on
		 * @return this builder
		 */
		public Builder persistence(boolean persistence) {
			this.persistence = persistence;
			return this;
		}

		/**
		 * Set whether clients may connect without a username. Default {@code true}.
		 * @param allowAnonymous whether anonymous clients are allowed
		 * @return this builder
		 */
		public Builder allowAnonymous(boolean allowAnonymous) {
			this.allowAnonymous = allowAnonymous;
			return this;
		}

		/**
		 * Add a user to the broker's password file.
		 * @param username the username, without {@code ':'} or line breaks
		 * @param password the password, without line breaks
		 * @return this builder
		 * @throws IllegalArgumentException if the username or password cannot be written to a
		 * mosquitto password file
		 */
		public Builder user(String username, String password) {
			Objects.requireNonNull(username, "username must not be null");
			Objects.requireNonNull(password, "password must not be null");
			if (username.isEmpty() || username.indexOf(':') >= 0 || containsLineBreak(username)) {
				throw new IllegalArgumentException(
						"Invalid username '" + username + "': must be non-empty, without ':' or line breaks");
			}
			if (containsLineBreak(password)) {
				throw new IllegalArgumentException("Invalid password for user '" + username + "': line breaks");
			}
			this.users.put(username, password);
			return this;
		}

		/**
		 * Add users given as {@code username:password} entries, the format of
		 * {@link MqttBrokerTest#users()}.
		 * @param entries the entries; the password is everything after the first {@code ':'}
		 * @return this builder
		 * @throws IllegalArgumentException if an entry has no {@code ':'}
		 */
		public Builder users(String... entries) {
			for (String entry : entries) {
				int colon = entry.indexOf(':');
				if (colon < 0) {
					throw new IllegalArgumentException(
							"Invalid user entry '" + entry.replaceAll(".", "*") + "': expected 'username:password'");
				}
				user(entry.substring(0, colon), entry.substring(colon + 1));
			}
			return this;
		}

		/**
		 * Add lines to the broker's ACL file, in mosquitto {@code acl_file} syntax, for example
		 * {@code "user alice"}, {@code "topic readwrite sensors/#"}. Lines before the first
		 * {@code user} line apply to anonymous clients.
		 * @param lines the ACL lines
		 * @return this builder
		 */
		public Builder acl(String... lines) {
			this.acl.addAll(List.of(lines));
			return this;
		}

		/**
		 * Set the largest packet the broker accepts. Default {@code 0}: the broker's default.
		 * @param maxPacketSize the maximum packet size in bytes, or {@code 0}
		 * @return this builder
		 */
		public Builder maxPacketSize(int maxPacketSize) {
			this.maxPacketSize = requireNotNegative(maxPacketSize, "maxPacketSize");
			return this;
		}

		/**
		 * Set how many QoS 1/2 messages the broker keeps in flight per client. Default {@code 0}:
		 * the broker's default.
		 * @param maxInflightMessages the maximum, or {@code 0}
		 * @return this builder
		 */
		public Builder maxInflightMessages(int maxInflightMessages) {
			this.maxInflightMessages = requireNotNegative(maxInflightMessages, "maxInflightMessages");
			return this;
		}

		/**
		 * Set how many QoS 1/2 messages the broker queues per client beyond those in flight.
		 * Default {@value MqttTestBrokerOptions#DEFAULT_MAX_QUEUED_MESSAGES}.
		 * @param maxQueuedMessages the maximum; {@code 0} means no limit
		 * @return this builder
		 */
		public Builder maxQueuedMessages(int maxQueuedMessages) {
			this.maxQueuedMessages = requireNotNegative(maxQueuedMessages, "maxQueuedMessages");
			return this;
		}

		/**
		 * Add lines appended verbatim to the generated mosquitto configuration. Moquette cannot
		 * read them, so tests that use them are skipped when the Moquette fallback runs.
		 * @param lines the configuration lines
		 * @return this builder
		 */
		public Builder extraConfig(String... lines) {
			this.extraConfig.addAll(List.of(lines));
			return this;
		}

		/**
		 * Set how long starting the broker may take. Default 10 seconds.
		 * @param startupTimeout the startup timeout
		 * @return this builder
		 */
		public Builder startupTimeout(Duration startupTimeout) {
			Objects.requireNonNull(startupTimeout, "startupTimeout must not be null");
			if (startupTimeout.isNegative() || startupTimeout.isZero()) {
				throw new IllegalArgumentException("startupTimeout must be positive, was " + startupTimeout);
			}
			this.startupTimeout = startupTimeout;
			return this;
		}

		/**
		 * Build the options.
		 * @return the options
		 */
		public MqttTestBrokerOptions build() {
			return new MqttTestBrokerOptions(this);
		}

		private static boolean containsLineBreak(String value) {
			return value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
		}

		private static int requireNotNegative(int value, String name) {
			if (value < 0) {
				throw new IllegalArgumentException(name + " must not be negative, was " + value);
			}
			return value;
		}

	}

}
