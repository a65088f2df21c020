package io.mqttboot.autoconfigure;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link MqttBackgroundPreinitializer}. Each test that looks at which classes
 * got loaded runs it in a class loader of its own (or a JVM of its own), since the test
 * JVM has long loaded them.
 */
class MqttBackgroundPreinitializerTests {

	private static final String PREINITIALIZER = MqttBackgroundPreinitializer.class.getName();

	/** Loaded by the first connect without the preinitializer, never by class loading alone. */
	private static final List<String> CONNECT_CLASSES = List.of("com.hivemq.client.internal.mqtt.MqttRxClient",
			"io.reactivex.Flowable", "io.netty.channel.epoll.EpollEventLoopGroup",
			"com.hivemq.client.internal.mqtt.codec.encoder.MqttEncoder");

	@Test
	void isRegisteredAsAnApplicationListener() {
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(ApplicationListener.class))
			.hasAtLeastOneElementOfType(MqttBackgroundPreinitializer.class);
	}

	@Test
	void loadsTheClassesOfTheFirstConnection() throws Exception {
		try (IsolatedClassLoader loader = new IsolatedClassLoader(Set.of())) {
			assertThat(CONNECT_CLASSES).noneMatch(loader::isLoaded);
			preinitialize(loader);
			assertThat(CONNECT_CLASSES).allMatch(loader::isLoaded);
		}
	}

	@Test
	void loadsOnlyTheClassesOfTheConfiguredProtocolVersion() throws Exception {
		String view3 = "com.hivemq.client.internal.mqtt.mqtt3.Mqtt3RxClientView";
		try (IsolatedClassLoader loader = new IsolatedClassLoader(Set.of())) {
			preinitialize(loader, true, false);
			assertThat(CONNECT_CLASSES).allMatch(loader::isLoaded);
			assertThat(loader.isLoaded(view3)).isFalse();
		}
		try (IsolatedClassLoader loader = new IsolatedClassLoader(Set.of())) {
			preinitialize(loader, false, true);
			assertThat(loader.isLoaded(view3)).isTrue();
			assertThat(CONNECT_CLASSES).allMatch(loader::isLoaded);
		}
	}

	@Test
	void doesNothingWithoutTheHiveMqClient() throws Exception {
		try (IsolatedClassLoader loader = new IsolatedClassLoader(Set.of("com.hivemq."))) {
			assertThatNoException().isThrownBy(() -> preinitialize(loader));
			assertThat(loader.isLoaded(PREINITIALIZER + "$HiveMq")).isFalse();
			assertThat(loader.isLoaded("io.netty.channel.epoll.EpollEventLoopGroup")).isFalse();
		}
	}

	@Test
	void failuresAreIgnoredAndTheRestIsStillLoaded() throws Exception {
		// Netty's allocator and the event loop group cannot be loaded: those steps fail.
		try (IsolatedClassLoader loader = new IsolatedClassLoader(
				Set.of("io.netty.buffer.ByteBufAllocator", "io.netty.channel.epoll.EpollEventLoopGroup"))) {
			assertThatNoException().isThrownBy(() -> preinitialize(loader));
			assertThat(loader.isLoaded("io.reactivex.Flowable")).isTrue();
		}
	}

	@Test
	void runsInTheBackgroundOfASpringApplication(@TempDir Path temp) throws Exception {
		assertThat(loadedClassesOfProbe(temp.resolve("on.log"))).contains(PREINITIALIZER + "$HiveMq",
				"com.hivemq.client.internal.mqtt.MqttRxClient");
	}

	@Test
	void springBootsSwitchForBackgroundPreinitializationTurnsItOff(@TempDir Path temp) throws Exception {
		assertThat(loadedClassesOfProbe(temp.resolve("off.log"), "-Dspring.backgroundpreinitializer.ignore=true"))
			.contains(PREINITIALIZER)
			.doesNotContain(PREINITIALIZER + "$HiveMq", "com.hivemq.client.internal.mqtt.MqttRxClient");
	}

	@Test
	void doesNotRunWhenTheMqttAutoConfigurationIsExcluded(@TempDir Path temp) throws Exception {
		assertThat(loadedClassesOfProbe(temp.resolve("excluded.log"),
				"-Dspring.autoconfigure.exclude=com.example.Other, " + MqttAutoConfiguration.class.getName()))
			.contains(PREINITIALIZER)
			.doesNotContain(PREINITIALIZER + "$HiveMq", "com.hivemq.client.internal.mqtt.MqttRxClient");
	}

	private static void preinitialize(ClassLoader loader) throws Exception {
		preinitialize(loader, true, true);
	}

	private static void preinitialize(ClassLoader loader, boolean mqtt5, boolean mqtt3) throws Exception {
		Class<?> type = Class.forName(PREINITIALIZER, true, loader);
		var constructor = type.getDeclaredConstructor(ClassLoader.class);
		constructor.setAccessible(true);
		Object preinitializer = constructor.newInstance(loader);
		var method = type.getDeclaredMethod("preinitialize", boolean.class, boolean.class);
		method.setAccessible(true);
		try {
			method.invoke(preinitializer, mqtt5, mqtt3);
		}
		catch (InvocationTargetException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	/**
	 * Start {@link Probe} in a JVM of its own and return the class loading log: the classes
	 * it loaded until the application was ready and the pre-initialization thread, if any,
	 * had ended.
	 */
	private static String loadedClassesOfProbe(Path log, String... options) throws Exception {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xlog:class+load=info:file=" + log, "-cp", String.join(File.pathSeparator, classPath())));
		command.addAll(List.of(options));
		command.add(Probe.class.getName());
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
			.start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
		assertThat(process.exitValue()).as("probe exit status (see %s.out)", log).isZero();
		return Files.readString(log, StandardCharsets.UTF_8);
	}

	private static List<String> classPath() {
		// Surefire runs tests from a manifest-only jar and names the real class path here.
		String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		return List.of(path.split(File.pathSeparator));
	}

	/**
	 * A class loader of its own for everything on the class path (child first), that can
	 * hide packages.
	 */
	static final class IsolatedClassLoader extends URLClassLoader {

		private final Set<String> hidden;

		IsolatedClassLoader(Set<String> hidden) throws MalformedURLException {
			super(urls(), ClassLoader.getPlatformClassLoader());
			this.hidden = hidden;
		}

		private static URL[] urls() throws MalformedURLException {
			List<URL> urls = new ArrayList<>();
			for (String entry : classPath()) {
				urls.add(new File(entry).toURI().toURL());
			}
			return urls.toArray(URL[]::new);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (this.hidden.stream().anyMatch(name::startsWith)) {
				throw new ClassNotFoundException(name + " (hidden by the test)");
			}
			return super.loadClass(name, resolve);
		}

		@Override
		public URL getResource(String name) {
			String className = name.replace('/', '.');
			return (this.hidden.stream().anyMatch(className::startsWith)) ? null : super.getResource(name);
		}

		boolean isLoaded(String name) {
			return findLoadedClass(name) != null;
		}

	}

	/**
	 * An application without auto-configuration: only Spring Boot's background
	 * pre-initialization can load the MQTT client's classes.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Probe {

		public static void main(String[] args) {
			SpringApplication application = new SpringApplication(Probe.class);
			application.setWebApplicationType(WebApplicationType.NONE);
			// Docker Compose support is on the test class path: not wanted here.
			application.setDefaultProperties(Map.of("spring.main.banner-mode", "off", "logging.level.root", "WARN",
					"spring.docker.compose.enabled", "false"));
			try (ConfigurableApplicationContext context = application.run()) {
				for (Thread thread : Thread.getAllStackTraces().keySet()) {
					if (thread.getName().equals(MqttBackgroundPreinitializer.THREAD_NAME)) {
						thread.join(30_000);
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
