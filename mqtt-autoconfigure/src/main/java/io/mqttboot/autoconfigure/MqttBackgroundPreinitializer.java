package io.mqttboot.autoconfigure;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3RxClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt5.Mqtt5RxClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.reactivex.Flowable;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.NativeDetector;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Loads and initializes the HiveMQ MQTT client, RxJava and Netty classes that the first
 * connection needs, on a background thread ({@value #THREAD_NAME}) started as soon as the
 * environment is prepared, while the main thread prepares the application context, as
 * Spring Boot's own background pre-initialization does for its classes. Without it, the
 * main thread loads about 1,200 of these classes while it creates and starts the client,
 * and the event loop thread loads several hundred more (and Netty's JFR event support)
 * before it can send CONNECT, all on the way to the first subscription.
 * <p>
 * Only objects that are thrown away are made: clients that are built but never connected,
 * flows that are never subscribed, one buffer that is released again. No socket, event
 * loop or connection is made; the one thread started besides this one is RxJava's idle
 * scheduler purge thread, which the HiveMQ client's first use starts anyway. Any failure
 * is ignored: the work is then simply done on first use, as without this class. The
 * application never waits for it.
 * <p>
 * Only the protocol version of {@code mqtt.version} (5 unless set) is pre-initialized.
 * <p>
 * It does not run with a single processor, in a native image, when the system property
 * {@code spring.backgroundpreinitializer.ignore} is {@code true} (Spring Boot's switch for
 * all background pre-initialization), or when {@code spring.autoconfigure.exclude} names
 * {@link MqttAutoConfiguration}. Like Boot's, it runs once per JVM.
 *
 * @since 0.1.0
 */
final class MqttBackgroundPreinitializer implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	/**
	 * The name of the background thread.
	 */
	static final String THREAD_NAME = "mqtt-background-preinit";

	private static final String IGNORE_PROPERTY = "spring.backgroundpreinitializer.ignore";

	private static final AtomicBoolean started = new AtomicBoolean();

	private static final Log logger = LogFactory.getLog(MqttBackgroundPreinitializer.class);

	private static final String HIVEMQ_CLIENT = "com.hivemq.client.mqtt.MqttClient";

	/**
	 * Classes that the first connect loads and initializes (the event loop group on the
	 * starting thread; transport, name resolution, pipeline and codec on the event loop)
	 * and that no public API reaches without connecting. Their static initialization
	 * creates no thread, socket or event loop. Names missing in other versions are
	 * skipped.
	 */
	private static final List<String> CONNECTION_CLASSES = List.of("io.reactivex.Flowable", "io.reactivex.Single",
			"io.reactivex.Completable", "io.reactivex.Maybe", "io.reactivex.Observable",
			"com.hivemq.client.internal.netty.NettyEventLoopProvider", "io.netty.util.concurrent.DefaultPromise",
			"io.netty.util.concurrent.DefaultEventExecutorChooserFactory", "io.netty.channel.DefaultChannelPromise",
			"io.netty.channel.epoll.EpollEventLoopGroup", "io.netty.channel.epoll.EpollEventLoop",
			"io.netty.channel.epoll.EpollSocketChannelConfig", "io.netty.channel.nio.NioEventLoopGroup",
			"io.netty.bootstrap.Bootstrap",
			"io.netty.channel.DefaultChannelPipeline", "io.netty.channel.ChannelOutboundBuffer",
			"io.netty.resolver.DefaultAddressResolverGroup", "io.netty.resolver.InetSocketAddressResolver",
			"io.netty.resolver.DefaultNameResolver", "io.netty.handler.codec.CodecOutputList",
			"io.netty.channel.MultiThreadIoEventLoopGroup", "io.netty.channel.SingleThreadIoEventLoop",
			"io.netty.channel.epoll.EpollIoHandler", "io.netty.channel.epoll.EpollSocketChannel",
			"io.netty.channel.nio.NioIoHandler", "io.netty.channel.socket.nio.NioSocketChannel",
			"com.hivemq.client.internal.mqtt.codec.encoder.MqttEncoder",
			"com.hivemq.client.internal.mqtt.codec.decoder.MqttDecoder",
			"com.hivemq.client.internal.mqtt.handler.connect.MqttConnectHandler",
			"com.hivemq.client.internal.mqtt.handler.connect.MqttConnAckSingle",
			"com.hivemq.client.internal.mqtt.handler.MqttChannelInitializer",
			"com.hivemq.client.internal.mqtt.handler.subscribe.MqttSubscriptionHandler",
			"com.hivemq.client.internal.mqtt.handler.publish.incoming.MqttIncomingQosHandler",
			"com.hivemq.client.internal.mqtt.handler.publish.outgoing.MqttOutgoingQosHandler",
			"com.hivemq.client.internal.mqtt.handler.ping.MqttPingHandler",
			"com.hivemq.client.internal.mqtt.message.connect.connack.MqttConnAck",
			"com.hivemq.client.internal.mqtt.MqttAsyncClient");

	private final ClassLoader classLoader;

	MqttBackgroundPreinitializer() {
		this(MqttBackgroundPreinitializer.class.getClassLoader());
	}

	MqttBackgroundPreinitializer(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	@Override
	public int getOrder() {
		// After the config data (application.properties) is in the environment.
		return LoggingApplicationListener.DEFAULT_ORDER + 1;
	}

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		if (Runtime.getRuntime().availableProcessors() <= 1 || NativeDetector.inNativeImage()
				|| Boolean.getBoolean(IGNORE_PROPERTY) || isExcluded(event.getEnvironment())
				|| !started.compareAndSet(false, true)) {
			return;
		}
		try {
			// Only the protocol version of the default client: on a machine with few cores
			// the other version's classes would take processor time from the main thread.
			// Named clients of the other version load theirs on first use.
			boolean mqtt3 = Binder.get(event.getEnvironment())
				.bind("mqtt.version", Bindable.of(Integer.class))
				.map((version) -> version == 3)
				.orElse(false);
			Thread thread = new Thread(() -> preinitialize(!mqtt3, mqtt3), THREAD_NAME);
			thread.setDaemon(true);
			thread.start();
		}
		catch (Exception ex) {
			// Done on first use instead.
		}
	}

	private static boolean isExcluded(ConfigurableEnvironment environment) {
		List<String> excluded = Binder.get(environment)
			.bind("spring.autoconfigure.exclude", Bindable.listOf(String.class))
			.orElse(List.of());
		return excluded.stream().map(String::trim).anyMatch(MqttAutoConfiguration.class.getName()::equals);
	}

	/**
	 * Load and initialize the classes, ignoring every failure.
	 * @param mqtt5 whether to pre-initialize the MQTT 5 client
	 * @param mqtt3 whether to pre-initialize the MQTT 3 client
	 */
	void preinitialize(boolean mqtt5, boolean mqtt3) {
		if (!ClassUtils.isPresent(HIVEMQ_CLIENT, this.classLoader)) {
			return;
		}
		if (mqtt5) {
			run("HiveMQ MQTT 5 client and messages", HiveMq::preinitialize5);
		}
		if (mqtt3) {
			run("HiveMQ MQTT 3 client and messages", HiveMq::preinitialize3);
		}
		run("Netty buffers", Netty::preinitialize);
		run("native transport", this::nativeTransport);
		for (String name : CONNECTION_CLASSES) {
			run(name, () -> Class.forName(name, true, this.classLoader));
		}
	}

	/**
	 * Whether the epoll transport is available, as the HiveMQ client asks when it creates
	 * its event loop; the first question loads the native library.
	 */
	private void nativeTransport() throws Exception {
		String epoll = "io.netty.channel.epoll.Epoll";
		if (ClassUtils.isPresent(epoll, this.classLoader)) {
			Class.forName(epoll, true, this.classLoader).getMethod("isAvailable").invoke(null);
		}
	}

	private static void run(String what, Step step) {
		try {
			step.run();
		}
		catch (Throwable ex) {
			// Done again on first use, where a real failure is reported.
			if (logger.isDebugEnabled()) {
				logger.debug("MQTT background pre-initialization of " + what + " skipped: " + ex);
			}
		}
	}

	@FunctionalInterface
	interface Step {

		void run() throws Exception;

	}

	/**
	 * A client of either protocol version, built but never connected, and the cold flows of
	 * what the starter does first: receive, connect, subscribe, publish (classes that
	 * reference HiveMQ types are touched only once the client is known to be present).
	 */
	private static final class HiveMq {

		static void preinitialize5() {
			Mqtt5Subscribe subscribe5 = Mqtt5Subscribe.builder()
				.topicFilter("preinitializer/+")
				.qos(MqttQos.AT_LEAST_ONCE)
				.build();
			Mqtt5RxClient client5 = MqttClient.builder()
				.identifier("mqtt-background-preinitializer")
				.serverHost("127.0.0.1")
				.useMqttVersion5()
				.buildRx();
			// Cold: nothing happens until subscribed, and they never are.
			client5.publishes(MqttGlobalPublishFilter.ALL, true);
			client5.connectWith().cleanStart(true).restrictions().receiveMaximum(100).applyRestrictions().applyConnect();
			client5.subscribe(subscribe5);
			client5.publish(Flowable.just(Mqtt5Publish.builder()
				.topic("preinitializer")
				.payload(new byte[1])
				.qos(MqttQos.AT_LEAST_ONCE)
				.build()));
			client5.toAsync();
		}

		static void preinitialize3() {
			Mqtt3Subscribe subscribe3 = Mqtt3Subscribe.builder()
				.topicFilter("preinitializer/+")
				.qos(MqttQos.AT_LEAST_ONCE)
				.build();
			Mqtt3RxClient client3 = MqttClient.builder()
				.identifier("mqtt-background-preinitializer")
				.serverHost("127.0.0.1")
				.useMqttVersion3()
				.buildRx();
			client3.publishes(MqttGlobalPublishFilter.ALL, true);
			client3.connectWith().cleanSession(true).applyConnect();
			client3.subscribe(subscribe3);
			client3.publish(Flowable.just(Mqtt3Publish.builder()
				.topic("preinitializer")
				.payload(new byte[1])
				.qos(MqttQos.AT_LEAST_ONCE)
				.build()));
			client3.toAsync();
		}

	}

	/**
	 * The default allocator, which the connection's channel uses (initializing it also
	 * initializes Netty 4.2's JFR allocation events).
	 */
	private static final class Netty {

		static void preinitialize() {
			ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(256);
			buffer.release();
		}

	}

}
