package io.mqttboot.autoconfigure.actuate;

import java.net.URI;
import java.util.regex.Pattern;

import io.mqttboot.actuate.endpoint.MqttEndpoint;
import io.mqttboot.autoconfigure.MqttAutoConfiguration;
import io.mqttboot.config.MqttListenerEndpointRegistry;
import io.mqttboot.core.MqttClientRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code mqtt} actuator endpoint and of a
 * {@link SanitizingFunction} that masks MQTT passwords and URL user-info in
 * {@code /actuator/env} and {@code /actuator/configprops}, even when values are shown.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MqttAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
public final class MqttEndpointAutoConfiguration {

	private static final Pattern PASSWORD_KEY = Pattern
		.compile("^mqtt\\.(clients\\.[^.]+\\.)?(password|ssl\\..*(password|secret|key).*)$", Pattern.CASE_INSENSITIVE);

	private static final Pattern URL_KEY = Pattern.compile("^mqtt\\.(clients\\.[^.]+\\.)?url$", Pattern.CASE_INSENSITIVE);

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(MqttClientRegistry.class)
	@ConditionalOnAvailableEndpoint
	MqttEndpoint mqttEndpoint(MqttClientRegistry clients, ObjectProvider<MqttListenerEndpointRegistry> listeners) {
		return new MqttEndpoint(clients, listeners.getIfAvailable());
	}

	@Bean
	SanitizingFunction mqttSanitizingFunction() {
		return MqttEndpointAutoConfiguration::sanitize;
	}

	static SanitizableData sanitize(SanitizableData data) {
		String key = data.getKey();
		if (PASSWORD_KEY.matcher(key).matches()) {
			return data.withSanitizedValue();
		}
		if (URL_KEY.matcher(key).matches() && data.getValue() instanceof CharSequence value) {
			return data.withValue(withoutUserInfo(value.toString()));
		}
		return data;
	}

	private static String withoutUserInfo(String url) {
		int scheme = url.indexOf("://");
		int at = url.lastIndexOf('@');
		if (scheme < 0 || at < scheme) {
			return url;
		}
		try {
			URI uri = URI.create(url);
			if (uri.getRawUserInfo() == null) {
				return url;
			}
		}
		catch (IllegalArgumentException ex) {
			// Not a URI: mask whatever precedes '@' anyway.
		}
		return url.substring(0, scheme + 3) + SanitizableData.SANITIZED_VALUE + url.substring(at);
	}

}
