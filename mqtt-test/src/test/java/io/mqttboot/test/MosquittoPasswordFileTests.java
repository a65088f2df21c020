package io.mqttboot.test;

import java.util.Base64;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MosquittoPasswordFile}.
 */
class MosquittoPasswordFileTests {

	// Lines written by mosquitto_passwd 2.0.11 (-U and -b), so the Java hash must match byte for byte.
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"plain|$7$101$ngg5F5FI5D3W19oU$9BzV16o3BBGhYP2gvFNoIfA0n6rsa16DoLXlgsYrZNBbcdUxZeMDIV/32tF27rfZQsnW4cPae6GrZ52cZ3D0Zg==",
			"sp ace|$7$101$wNW4ffA+zvXTYR1z$fUNMlxfkWHz6a2x+jZz70rJqGs6and+GCf22c6Oy7vnNpzt451a7tLkB5TzTz/lNVqwZKqCZJULIVZGTAAUuCg==" })
	void hashShouldMatchWhatMosquittoPasswdWrites(String password, String mosquittoPasswdHash) {
		String[] parts = mosquittoPasswdHash.split("\\$");
		byte[] salt = Base64.getDecoder().decode(parts[3]);
		assertThat(MosquittoPasswordFile.hash(password, salt, Integer.parseInt(parts[2]))).isEqualTo(mosquittoPasswdHash);
	}

}
