package io.mqttboot.test;

import java.time.Duration;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit Jupiter extension that gives a test class its own {@link MqttTestBroker}: started before
 * all tests, stopped and deleted after all tests, injected into parameters of type
 * {@link MqttTestBroker}.
 * <p>
 * Two ways to use it. Declarative, configured by {@link MqttBrokerTest} (which registers this
 * extension). Or programmatic, on a static field, which also gives static code such as a Spring
 * {@code @DynamicPropertySource} method access to the broker:
 * <pre class="code">
 * &#064;SpringBootTest
 * class ValveIntegrationTests {
 *
 *     &#064;RegisterExtension
 *     static MqttBrokerExtension broker = MqttBrokerExtension.builder().persistence(true).build();
 *
 *     &#064;DynamicPropertySource
 *     static void mqttProperties(DynamicPropertyRegistry registry) {
 *         registry.add("mqtt.url", broker::getUrl);
 *     }
 * }
 * </pre>
 * The programmatic form starts the broker on first use: whichever comes first of
 * {@code beforeAll}, {@link #get()} or {@link #getUrl()}. So a Spring context that is created
 * before {@code beforeAll} (with {@code @TestInstance(PER_CLASS)}) still finds the broker running.
 * The port never changes, not even across restarts. Register it on a static field: an instance
 * field gets no {@code afterAll} callback and is rejected.
 * <p>
 * When the Moquette fallback runs and the options ask for something it cannot provide, the test
 * class is skipped with the reason.
 *
 * @since 0.1.0
 */
public final class MqttBrokerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
		ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(MqttBrokerExtension.class);

	private static final Object declarativeMonitor = new Object();

	private final @Nullable MqttTestBrokerOptions options;

	private final Object programmaticMonitor = new Object();

	private @Nullable MqttTestBroker broker;

	private @Nullable String ownerId;

	/**
	 * Create the extension for {@link MqttBrokerTest} or {@code @ExtendWith}: options come from the
	 * test class's {@link MqttBrokerTest} annotation, or are the defaults. Use {@link #builder()}
	 * to register it on a field.
	 */
	public MqttBrokerExtension() {
		this.options = null;
	}

	private MqttBrokerExtension(MqttTestBrokerOptions options) {
		this.options = options;
	}

	/**
	 * Start building an extension to register on a static field.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the broker, starting it if this is the first use. Only for an extension built with
	 * {@link #builder()}.
	 * @return the running broker
	 * @throws IllegalStateException if this extension was registered by annotation
	 */
	public MqttTestBroker get() {
		MqttTestBrokerOptions options = this.options;
		if (options == null) {
			throw new IllegalStateException("get() needs an MqttBrokerExtension built with MqttBrokerExtension.builder() "
					+ "on a static @RegisterExtension field; with @MqttBrokerTest, declare an MqttTestBroker parameter");
		}
		synchronized (this.programmaticMonitor) {
			MqttTestBroker broker = this.broker;
			if (broker == null) {
				broker = createBroker(options);
				this.broker = broker;
			}
			if (this.ownerId == null) {
				// Not started by beforeAll yet: first use from a static context, e.g. a Spring supplier.
				broker.start();
			}
			return broker;
		}
	}

	/**
	 * Return the broker's URL, starting the broker if this is the first use. Made to be passed as
	 * {@code broker::getUrl} to a Spring {@code DynamicPropertyRegistry}.
	 * @return {@code tcp://127.0.0.1:<port>}
	 */
	public String getUrl() {
		return get().getUrl();
	}

	/**
	 * Return the broker's host, starting the broker if this is the first use.
	 * @return {@code 127.0.0.1}
	 */
	public String getHost() {
		return get().getHost();
	}

	/**
	 * Return the broker's port, starting the broker if this is the first use.
	 * @return the port
	 */
	public int getPort() {
		return get().getPort();
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		if (this.options != null) {
			synchronized (this.programmaticMonitor) {
				if (this.ownerId == null) {
					get().start();
					this.ownerId = context.getUniqueId();
				}
			}
			return;
		}
		synchronized (declarativeMonitor) {
			if (context.getStore(NAMESPACE).get(key(context)) != null) {
				// Already created for a constructor parameter (@TestInstance(PER_CLASS)).
				return;
			}
			Optional<MqttBrokerTest> annotation = AnnotationSupport.findAnnotation(context.getRequiredTestClass(),
					MqttBrokerTest.class);
			if (annotation.isPresent() || findDeclarativeBroker(context) == null) {
				MqttTestBroker broker = createBroker(annotation.map(MqttBrokerExtension::toOptions)
					.orElseGet(MqttTestBrokerOptions::defaults));
				context.getStore(NAMESPACE).put(key(context), broker);
				broker.start();
			}
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.options != null) {
			synchronized (this.programmaticMonitor) {
				MqttTestBroker broker = this.broker;
				if (broker != null && context.getUniqueId().equals(this.ownerId)) {
					this.broker = null;
					this.ownerId = null;
					broker.close();
				}
			}
			return;
		}
		synchronized (declarativeMonitor) {
			MqttTestBroker broker = context.getStore(NAMESPACE).remove(key(context), MqttTestBroker.class);
			if (broker != null) {
				broker.close();
			}
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (this.options == null) {
			return;
		}
		boolean startedByBeforeAll;
		synchronized (this.programmaticMonitor) {
			startedByBeforeAll = this.ownerId != null;
		}
		if (!startedByBeforeAll) {
			throw new ExtensionConfigurationException("MqttBrokerExtension on " + context.getRequiredTestClass().getName()
					+ " must be registered on a static field: '@RegisterExtension static MqttBrokerExtension broker = "
					+ "MqttBrokerExtension.builder().build();'");
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == MqttTestBroker.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		if (this.options != null) {
			return get();
		}
		synchronized (declarativeMonitor) {
			MqttTestBroker broker = findDeclarativeBroker(extensionContext);
			if (broker == null) {
				// A constructor parameter with @TestInstance(PER_CLASS): resolved before beforeAll.
				beforeAll(extensionContext);
				broker = findDeclarativeBroker(extensionContext);
			}
			if (broker == null) {
				throw new ExtensionConfigurationException("No MQTT test broker for " + extensionContext.getDisplayName());
			}
			return broker;
		}
	}

	private static @Nullable MqttTestBroker findDeclarativeBroker(ExtensionContext context) {
		for (ExtensionContext current = context; current != null; current = current.getParent().orElse(null)) {
			MqttTestBroker broker = current.getStore(NAMESPACE).get(key(current), MqttTestBroker.class);
			if (broker != null) {
				return broker;
			}
		}
		return null;
	}

	private static String key(ExtensionContext context) {
		return "broker@" + context.getUniqueId();
	}

	private static MqttTestBroker createBroker(MqttTestBrokerOptions options) {
		BrokerSelection selection = BrokerSelection.select();
		String reason = selection.unsupportedReason(options);
		Assumptions.assumeTrue(reason == null, reason);
		return selection.create(options);
	}

	static MqttTestBrokerOptions toOptions(MqttBrokerTest annotation) {
		return MqttTestBrokerOptions.builder()
			.persistence(annotation.persistence())
			.allowAnonymous(annotation.allowAnonymous())
			.users(annotation.users())
			.acl(annotation.acl())
			.maxPacketSize(annotation.maxPacketSize())
			.maxInflightMessages(annotation.maxInflightMessages())
			.maxQueuedMessages(annotation.maxQueuedMessages())
			.extraConfig(annotation.extraConfig())
			.build();
	}

	/**
	 * Builder for a {@link MqttBrokerExtension} registered on a static field.
	 *
	 * @since 0.1.0
	 */
	public static final class Builder {

		private MqttTestBrokerOptions.Builder options = MqttTestBrokerOptions.builder();

		private Builder() {
		}

		/**
		 * Start from existing options; later calls on this builder change them.
		 * @param options the options
		 * @return this builder
		 */
		public Builder options(MqttTestBrokerOptions options) {
			this.options = options.toBuilder();
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#persistence(boolean)}.
		 * @param persistence whether persistence is on
		 * @return this builder
		 */
		public Builder persistence(boolean persistence) {
			this.options.persistence(persistence);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#allowAnonymous(boolean)}.
		 * @param allowAnonymous whether anonymous clients are allowed
		 * @return this builder
		 */
		public Builder allowAnonymous(boolean allowAnonymous) {
			this.options.allowAnonymous(allowAnonymous);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#user(String, String)}.
		 * @param username the username
		 * @param password the password
		 * @return this builder
		 */
		public Builder user(String username, String password) {
			this.options.user(username, password);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#acl(String...)}.
		 * @param lines the ACL lines
		 * @return this builder
		 */
		public Builder acl(String... lines) {
			this.options.acl(lines);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#maxPacketSize(int)}.
		 * @param maxPacketSize the maximum packet size in bytes, or {@code 0}
		 * @return this builder
		 */
		public Builder maxPacketSize(int maxPacketSize) {
			this.options.maxPacketSize(maxPacketSize);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#maxInflightMessages(int)}.
		 * @param maxInflightMessages the maximum, or {@code 0}
		 * @return this builder
		 */
		public Builder maxInflightMessages(int maxInflightMessages) {
			this.options.maxInflightMessages(maxInflightMessages);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#maxQueuedMessages(int)}.
		 * @param maxQueuedMessages the maximum; {@code 0} means no limit
		 * @return this builder
		 */
		public Builder maxQueuedMessages(int maxQueuedMessages) {
			this.options.maxQueuedMessages(maxQueuedMessages);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#extraConfig(String...)}.
		 * @param lines the configuration lines
		 * @return this builder
		 */
		public Builder extraConfig(String... lines) {
			this.options.extraConfig(lines);
			return this;
		}

		/**
		 * See {@link MqttTestBrokerOptions.Builder#startupTimeout(Duration)}.
		 * @param startupTimeout the startup timeout
		 * @return this builder
		 */
		public Builder startupTimeout(Duration startupTimeout) {
			this.options.startupTimeout(startupTimeout);
			return this;
		}

		/**
		 * Build the extension. The broker is created and started on first use.
		 * @return the extension
		 */
		public MqttBrokerExtension build() {
			return new MqttBrokerExtension(this.options.build());
		}

	}

}
