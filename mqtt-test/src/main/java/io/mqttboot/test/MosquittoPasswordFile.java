package io.mqttboot.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * Writes a mosquitto {@code password_file}.
 * <p>
 * Preferred: write {@code username:password} lines and let the installed {@code mosquitto_passwd -U}
 * hash them, so the hash format is whatever the installed broker reads. On 2.0.11
 * {@code mosquitto_passwd -b} fails unless the file already exists, and {@code -U} cuts a password at
 * its first {@code ':'} and rejects an empty one. For those passwords, and when the tool is missing,
 * the file is hashed here in the format {@code mosquitto_passwd} 2.x writes by default:
 * {@code $7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512>} (mosquitto 2.0 or later reads it).
 */
final class MosquittoPasswordFile {

	private static final int ITERATIONS = 101;

	private static final int SALT_BYTES = 12;

	private static final int HASH_BITS = 512;

	private static final SecureRandom random = new SecureRandom();

	private MosquittoPasswordFile() {
	}

	/**
	 * Write the password file.
	 * @param file where to write it
	 * @param users username to password
	 * @param tool {@code mosquitto_passwd}, or {@code null} to hash in Java
	 * @return how the file was hashed, for the broker log
	 * @throws IOException if the file cannot be written
	 */
	static String write(Path file, Map<String, String> users, @Nullable Path tool) throws IOException {
		boolean toolCanHash = users.values().stream().noneMatch((password) -> password.isEmpty() || password.contains(":"));
		if (tool != null && toolCanHash) {
			List<String> plain = new ArrayList<>();
			users.forEach((username, password) -> plain.add(username + ":" + password));
			Files.write(file, plain, StandardCharsets.UTF_8);
			String failure = runUpdate(tool, file);
			if (failure == null) {
				return "hashed by " + tool + " -U";
			}
			List<String> hashed = hashAll(users);
			Files.write(file, hashed, StandardCharsets.UTF_8);
			return "hashed in Java ($7$ PBKDF2-SHA512) because " + tool + " -U failed: " + failure;
		}
		Files.write(file, hashAll(users), StandardCharsets.UTF_8);
		return (tool != null) ? "hashed in Java ($7$ PBKDF2-SHA512): mosquitto_passwd -U cannot hash empty passwords "
				+ "or passwords containing ':'" : "hashed in Java ($7$ PBKDF2-SHA512): mosquitto_passwd not found";
	}

	static String hash(String password) {
		byte[] salt = new byte[SALT_BYTES];
		random.nextBytes(salt);
		return hash(password, salt, ITERATIONS);
	}

	static String hash(String password, byte[] salt, int iterations) {
		try {
			SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512");
			byte[] hash = factory.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS))
				.getEncoded();
			Base64.Encoder base64 = Base64.getEncoder();
			return "$7$" + iterations + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot hash a password with PBKDF2WithHmacSHA512", ex);
		}
	}

	private static List<String> hashAll(Map<String, String> users) {
		List<String> lines = new ArrayList<>();
		users.forEach((username, password) -> lines.add(username + ":" + hash(password)));
		return lines;
	}

	private static @Nullable String runUpdate(Path tool, Path file) throws IOException {
		Process process = new ProcessBuilder(tool.toString(), "-U", file.toString()).redirectErrorStream(true).start();
		try {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return "timed out";
			}
			return (process.exitValue() != 0) ? "exit code " + process.exitValue() + ": " + output : null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			throw new IOException("Interrupted while running " + tool, ex);
		}
	}

}
