package io.mqttboot.test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills broker processes that are still alive when the JVM exits, so a test run that forgets to
 * stop a broker (or is interrupted) leaves no mosquitto behind.
 */
final class ProcessReaper {

	private static final Set<Process> processes = ConcurrentHashMap.newKeySet();

	static {
		Thread hook = new Thread(ProcessReaper::killAll, "mqttboot-test-broker-reaper");
		Runtime.getRuntime().addShutdownHook(hook);
	}

	private ProcessReaper() {
	}

	static void register(Process process) {
		processes.add(process);
	}

	static void unregister(Process process) {
		processes.remove(process);
	}

	private static void killAll() {
		for (Process process : processes) {
			process.destroyForcibly();
		}
	}

}
