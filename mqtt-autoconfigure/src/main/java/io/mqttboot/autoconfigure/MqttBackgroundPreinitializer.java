package io.mqttboot.autoconfigure;

import java.util.List;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.preinitialize.BackgroundPreinitializer;
import org.springframework.util.ClassUtils;

/**
 * Loads and initializes the HiveMQ MQTT client, RxJava and Netty classes that the first
 * connection needs, on Spring Boot's background pre-initialization thread, while the main
 * thread prepares the application context. Without it, the main thread loads about 1,300
 * of these classes while it creates the client and the event loop thread loads several
 * hundred more (and Netty's JFR event support) before it can send CONNECT, all on the way
 * to the first subscription.
 * <p>
 * Only objects that are thrown away are made here: a client that is built but never
 * connected, messages that are never sent, one buffer that is released again. No thread,
 * socket or event loop is created, and any failure is ignored: the work is then simply
 * done on first use, as without this class. Spring Boot runs it in the background only on
 * a machine with more than one processor, not in a native image, and not when the system
 * property {@code spring.backgroundpreinitializer.ignore} is {@code true} (Boot's switch
 * for all background pre-initialization).
 *
 * @since 0.1.0
 */
final class MqttBackgroundPreinitializer implements BackgroundPreinitializer {

	private static final Log logger = LogFactory.getLog(MqttBackgroundPreinitializer.class);

	private static final String HIVEMQ_CLIENT = "com.hivemq.client.mqtt.MqttClient";

	/**
	 * Classes that the connection's event loop loads on its first connect and that no
	 * public API reaches before: transport, name resolution, pipeline and codec. Loaded
	 * without initialization; names missing in other versions are skipped.
	 */
	private static final List<String> CONNECTION_CLASSES = List.of("io.netty.bootstrap.Bootstrap",
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
			"com.hivemq.client.internal.mqtt.message.connect.connack.MqttConnAck");

	private final ClassLoader classLoader;

	MqttBackgroundPreinitializer() {
		this(MqttBackgroundPreinitializer.class.getClassLoader());
	}

	MqttBackgroundPreinitializer(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	@Override
	public void preinitialize() {
		if (!ClassUtils.isPresent(HIVEMQ_CLIENT, this.classLoader)) {
			return;
		}
		run("HiveMQ clients and messages", HiveMq::preinitialize);
		run("Netty buffers", Netty::preinitialize);
		run("native transport", this::nativeTransport);
		for (String name : CONNECTION_CLASSES) {
			run(name, () -> Class.forName(name, false, this.classLoader));
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
	 * Client and message builders of both protocol versions (classes that reference HiveMQ
	 * types are touched only once the client is known to be present).
	 */
	private static final class HiveMq {

		static void preinitialize() {
			MqttClient.builder()
				.identifier("mqtt-background-preinitializer")
				.serverHost("127.0.0.1")
				.useMqttVersion5()
				.buildAsync();
			MqttClient.builder()
				.identifier("mqtt-background-preinitializer")
				.serverHost("127.0.0.1")
				.useMqttVersion3()
				.buildAsync();
			Mqtt5Subscribe.builder().topicFilter("preinitializer/+").qos(MqttQos.AT_LEAST_ONCE).build();
			Mqtt3Subscribe.builder().topicFilter("preinitializer/+").qos(MqttQos.AT_LEAST_ONCE).build();
			Mqtt5Publish.builder().topic("preinitializer").payload(new byte[1]).qos(MqttQos.AT_LEAST_ONCE).build();
			Mqtt3Publish.builder().topic("preinitializer").payload(new byte[1]).qos(MqttQos.AT_LEAST_ONCE).build();
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
