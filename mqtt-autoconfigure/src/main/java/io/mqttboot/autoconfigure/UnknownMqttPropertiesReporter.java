package io.mqttboot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Warns at startup about {@code mqtt.*} keys that no property binds, naming the nearest
 * known key: a misspelt {@code mqtt.fail-fst=true} would otherwise be ignored without a
 * word.
 * <p>
 * The known keys are read from the property classes themselves (the default client, extra
 * clients under {@code mqtt.clients.<name>}, the embedded broker and any other
 * {@code @ConfigurationProperties} bean under {@code mqtt}), so a new property is known
 * as soon as it exists. Relaxed forms ({@code mqtt.keepAlive}, {@code mqtt.keep_alive})
 * bind and are not reported. Environment variables are not checked: {@code MQTT_*}
 * variables are often meant for something else.
 */
final class UnknownMqttPropertiesReporter implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(UnknownMqttPropertiesReporter.class);

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("mqtt");

	private static final String ANY = "*";

	private static final int MAX_DISTANCE = 3;

	private final Environment environment;

	private final ListableBeanFactory beanFactory;

	UnknownMqttPropertiesReporter(Environment environment, ListableBeanFactory beanFactory) {
		this.environment = environment;
		this.beanFactory = beanFactory;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (logger.isWarnEnabled()) {
			warnings().forEach(logger::warn);
		}
	}

	List<String> warnings() {
		List<KnownKey> known = knownKeys();
		List<String> warnings = new ArrayList<>();
		configuredKeys().forEach((name, property) -> {
			if (known.stream().noneMatch((key) -> key.matches(name))) {
				warnings.add(warning(name, property, known));
			}
		});
		return warnings;
	}

	private static String warning(ConfigurationPropertyName name, @Nullable ConfigurationProperty property,
			List<KnownKey> known) {
		String origin = (property != null && property.getOrigin() != null) ? " (" + property.getOrigin() + ")" : "";
		String nearest = nearest(name, known);
		return "Unknown MQTT property '" + name + "'" + origin + " is ignored"
				+ ((nearest != null) ? "; did you mean '" + nearest + "'?" : "; see the configuration reference");
	}

	private static @Nullable String nearest(ConfigurationPropertyName name, List<KnownKey> known) {
		String uniform = uniform(name);
		String nearest = null;
		int best = MAX_DISTANCE + 1;
		for (KnownKey key : known) {
			List<String> candidate = key.render(name);
			int distance = distance(uniform, String.join(".", candidate).replace("-", ""));
			if (distance < best) {
				best = distance;
				nearest = String.join(".", candidate);
			}
		}
		return nearest;
	}

	private Map<ConfigurationPropertyName, @Nullable ConfigurationProperty> configuredKeys() {
		Map<ConfigurationPropertyName, @Nullable ConfigurationProperty> keys = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			if (!(source instanceof IterableConfigurationPropertySource iterable) || isSystemEnvironment(source)) {
				continue;
			}
			iterable.stream()
				.filter(ROOT::isAncestorOf)
				.forEach((name) -> keys.putIfAbsent(name, source.getConfigurationProperty(name)));
		}
		return keys;
	}

	private static boolean isSystemEnvironment(ConfigurationPropertySource source) {
		return source.getUnderlyingSource() instanceof PropertySource<?> propertySource
				&& StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(propertySource.getName());
	}

	private List<KnownKey> knownKeys() {
		Map<String, Class<?>> roots = new LinkedHashMap<>();
		roots.put("mqtt", MqttProperties.class);
		roots.put("mqtt.embedded", MqttEmbeddedBrokerProperties.class);
		// Bean definitions only: reading them creates no bean, not even a lazy one.
		for (String name : this.beanFactory.getBeanDefinitionNames()) {
			ConfigurationProperties annotation = this.beanFactory.findAnnotationOnBean(name,
					ConfigurationProperties.class, false);
			Class<?> type = (annotation != null) ? this.beanFactory.getType(name, false) : null;
			if (annotation != null && type != null
					&& (annotation.prefix().equals("mqtt") || annotation.prefix().startsWith("mqtt."))) {
				roots.putIfAbsent(annotation.prefix(), ClassUtils.getUserClass(type));
			}
		}
		List<KnownKey> known = new ArrayList<>();
		roots.forEach((prefix, type) -> collect(type, List.of(prefix.split("\\.")), known));
		return known;
	}

	private static void collect(Class<?> type, List<String> prefix, List<KnownKey> known) {
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			List<String> path = append(prefix, DataObjectPropertyName.toDashedForm(descriptor.getName()));
			ResolvableType propertyType = ResolvableType.forMethodReturnType(descriptor.getReadMethod());
			Class<?> raw = propertyType.resolve(Object.class);
			if (Map.class.isAssignableFrom(raw)) {
				Class<?> valueType = propertyType.asMap().resolveGeneric(1);
				if (valueType != null && isNested(valueType)) {
					collect(valueType, append(path, ANY), known);
				}
				else {
					known.add(new KnownKey(path, true));
				}
			}
			else if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
				known.add(new KnownKey(path, true));
			}
			else if (isNested(raw)) {
				collect(raw, path, known);
			}
			else {
				known.add(new KnownKey(path, false));
			}
		}
	}

	private static boolean isNested(Class<?> type) {
		return type.getName().startsWith("io.mqttboot.") && !type.isEnum() && !type.isInterface();
	}

	private static List<String> append(List<String> elements, String element) {
		List<String> appended = new ArrayList<>(elements);
		appended.add(element);
		return appended;
	}

	private static String uniform(ConfigurationPropertyName name) {
		List<String> elements = new ArrayList<>();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			elements.add(name.getElement(i, Form.UNIFORM));
		}
		return String.join(".", elements);
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	/**
	 * A key some property binds: elements in dashed form, {@code *} for a map key, open
	 * when anything below it binds (maps of values, lists).
	 */
	private record KnownKey(List<String> elements, boolean open) {

		boolean matches(ConfigurationPropertyName name) {
			int count = name.getNumberOfElements();
			if (count < this.elements.size() || (count > this.elements.size() && !this.open)) {
				return false;
			}
			for (int i = 0; i < this.elements.size(); i++) {
				String element = this.elements.get(i);
				if (!element.equals(ANY) && !element.replace("-", "").equals(name.getElement(i, Form.UNIFORM))) {
					return false;
				}
			}
			return true;
		}

		/**
		 * This key with its map keys taken from the given name where it has them.
		 */
		List<String> render(ConfigurationPropertyName name) {
			List<String> rendered = new ArrayList<>();
			for (int i = 0; i < this.elements.size(); i++) {
				String element = this.elements.get(i);
				if (element.equals(ANY)) {
					element = (i < name.getNumberOfElements()) ? name.getElement(i, Form.DASHED) : "<name>";
				}
				rendered.add(element);
			}
			return rendered;
		}

	}

}
