package io.mqttboot.benchmarks;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code --name value} and {@code --flag} command-line options.
 */
final class Args {

	private final Map<String, String> values = new HashMap<>();

	Args(String[] args, int from) {
		for (int i = from; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
			}
			String name = arg.substring(2);
			if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
				this.values.put(name, args[++i]);
			}
			else {
				this.values.put(name, "true");
			}
		}
	}

	String get(String name) {
		String value = this.values.get(name);
		if (value == null) {
			throw new IllegalArgumentException("Missing option --" + name);
		}
		return value;
	}

	String get(String name, String defaultValue) {
		return this.values.getOrDefault(name, defaultValue);
	}

	int getInt(String name) {
		return Integer.parseInt(get(name));
	}

	int getInt(String name, int defaultValue) {
		return this.values.containsKey(name) ? Integer.parseInt(get(name)) : defaultValue;
	}

	boolean has(String name) {
		return Boolean.parseBoolean(this.values.getOrDefault(name, "false"));
	}

}
