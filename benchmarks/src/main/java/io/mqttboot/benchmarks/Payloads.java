package io.mqttboot.benchmarks;

import java.util.Arrays;

/**
 * Payloads: the first byte is the run tag, the rest printable filler (so that the same bytes
 * can be fed to {@code mosquitto_pub -l} as one line per message).
 */
final class Payloads {

	/** Tag of readiness probes; never used for a measured run. */
	static final byte PROBE = '0';

	private static byte next = 'A';

	private Payloads() {
	}

	static synchronized byte nextTag() {
		byte tag = next;
		next = (byte) ((next == 'Z') ? 'A' : next + 1);
		return tag;
	}

	static byte[] of(byte tag, int size) {
		byte[] payload = new byte[size];
		Arrays.fill(payload, (byte) 'x');
		payload[0] = tag;
		return payload;
	}

}
