package io.mqttboot.core.outbox;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mqttboot.core.OutboundPublish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The journal of the durable outbox ({@code mqtt.outbox.store=file}) without a broker:
 * what a restart recovers, a torn or garbled last record, removals and compaction.
 */
@ExtendWith(OutputCaptureExtension.class)
class FileMqttOutboxStoreTests {

	@TempDir
	Path directory;

	@Test
	void messagesNotRemovedShouldBeRecoveredInOrderAfterReopening() throws IOException {
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(store.recover()).isEmpty();
			for (int i = 0; i < 5; i++) {
				store.awaitDurable(store.append(message("m" + i)));
			}
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("m0", "m1", "m2", "m3", "m4");
		}
	}

	@Test
	void removedMessagesShouldNotBeRecovered() throws IOException {
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			List<Long> ids = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				ids.add(store.append(message("m" + i)));
			}
			store.remove(ids.get(0));
			store.remove(ids.get(3));
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("m1", "m2", "m4");
		}
	}

	@Test
	void messagesAppendedAfterARecoveryShouldFollowTheRecoveredOnes() throws IOException {
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			store.append(message("m0"));
			store.remove(store.append(message("m1")));
			store.append(message("m2"));
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("m0", "m2");
			store.append(message("m3"));
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("m0", "m2", "m3");
		}
	}

	@Test
	void truncatedLastRecordShouldBeCutOffWithAWarningNamingTheFile(CapturedOutput output) throws IOException {
		Path file = writeMessages(10);
		try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
			raw.setLength(raw.length() - 5);
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactlyElementsOf(expected(9));
		}
		assertThat(output).contains("MQTT outbox file '" + file + "' ends with a torn record");
	}

	@Test
	void garbledLastBytesShouldBeCutOffWithAWarningNamingTheFile(CapturedOutput output) throws IOException {
		Path file = writeMessages(10);
		try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
			raw.seek(raw.length() - 3);
			raw.write(new byte[] { 0x55, 0x55, 0x55 });
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactlyElementsOf(expected(9));
		}
		assertThat(output).contains("MQTT outbox file '" + file + "' ends with a record whose CRC-32 does not match");
	}

	@Test
	void messagesAppendedAfterATornRecordShouldSurviveTheNextRestartWithoutAnotherWarning(CapturedOutput output)
			throws IOException {
		Path file;
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			store.append(message("m0"));
			store.append(message("m1"));
			store.append(message("long".repeat(250)));
			file = store.getFile();
		}
		try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
			raw.setLength(raw.length() - 1);
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("m0", "m1");
			store.append(message("after"));
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("m0", "m1", "after");
		}
		assertThat(output.getAll().split("MQTT outbox file '", -1)).as("one warning, for the torn record").hasSize(2);
	}

	@Test
	void everyMessageFieldShouldSurviveTheFile() throws IOException {
		OutboundPublish original = new OutboundPublish("a/b/ü", new byte[] { 0, 1, 2, (byte) 0xFF }, 2, true,
				List.of(Map.entry("k", "v1"), Map.entry("k", "v2")), "application/json", "reply/here",
				new byte[] { 9, 8 }, Duration.ofSeconds(90), true);
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			store.append(original);
			store.append(message("plain"));
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			List<MqttOutboxStore.StoredPublish> recovered = store.recover();
			OutboundPublish copy = recovered.get(0).publish();
			assertThat(copy.topic()).isEqualTo(original.topic());
			assertThat(copy.payload()).containsExactly(original.payload());
			assertThat(copy.qos()).isEqualTo(2);
			assertThat(copy.retain()).isTrue();
			assertThat(copy.userProperties()).containsExactlyElementsOf(original.userProperties());
			assertThat(copy.contentType()).isEqualTo("application/json");
			assertThat(copy.responseTopic()).isEqualTo("reply/here");
			assertThat(copy.correlationData()).containsExactly(9, 8);
			assertThat(copy.messageExpiry()).isEqualTo(Duration.ofSeconds(90));
			assertThat(copy.utf8Payload()).isTrue();
			OutboundPublish plain = recovered.get(1).publish();
			assertThat(plain.contentType()).isNull();
			assertThat(plain.responseTopic()).isNull();
			assertThat(plain.correlationData()).isNull();
			assertThat(plain.messageExpiry()).isNull();
			assertThat(plain.retain()).isFalse();
			assertThat(plain.utf8Payload()).isFalse();
		}
	}

	@Test
	void fileShouldShrinkToItsHeaderWhenEveryMessageWasRemoved() throws IOException {
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			List<Long> ids = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				ids.add(store.append(message("m" + i)));
			}
			store.awaitDurable(ids.get(ids.size() - 1));
			assertThat(Files.size(store.getFile())).isGreaterThan(1000);
			ids.forEach(store::remove);
			await().until(() -> Files.size(store.getFile()) == 8);
		}
	}

	@Test
	void fileShouldBeRewrittenWithTheLiveMessagesWhenMostOfItIsRemoved() throws IOException {
		byte[] payload = new byte[64 * 1024];
		int count = (int) (FileMqttOutboxStore.COMPACT_MIN_BYTES / payload.length) + 8;
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			store.append(message("keep"));
			List<Long> ids = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				ids.add(store.append(new OutboundPublish("t", payload, 1, false, List.of(), null, null, null, null, false)));
			}
			store.awaitDurable(ids.get(ids.size() - 1));
			assertThat(Files.size(store.getFile())).isGreaterThan(FileMqttOutboxStore.COMPACT_MIN_BYTES);
			ids.forEach(store::remove);
			await().until(() -> Files.size(store.getFile()) < FileMqttOutboxStore.COMPACT_MIN_BYTES);
			store.append(message("after"));
		}
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThat(payloads(store.recover())).containsExactly("keep", "after");
		}
	}

	@Test
	void secondStoreOnTheSameFileShouldBeRefused() {
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			assertThatIllegalStateException().isThrownBy(() -> FileMqttOutboxStore.open(this.directory, "default"))
				.withMessageContaining("default.outbox' of client 'default' is in use");
		}
	}

	@Test
	void fileThatIsNotAnOutboxShouldBeRefusedAndLeftAlone() throws IOException {
		Path file = this.directory.resolve("default.outbox");
		Files.writeString(file, "not an outbox at all");
		assertThatIllegalStateException().isThrownBy(() -> FileMqttOutboxStore.open(this.directory, "default"))
			.withMessageContaining("'" + file + "' is not an MQTT outbox file");
		assertThat(Files.readString(file)).isEqualTo("not an outbox at all");
	}

	private Path writeMessages(int count) throws IOException {
		try (FileMqttOutboxStore store = FileMqttOutboxStore.open(this.directory, "default")) {
			for (int i = 0; i < count; i++) {
				store.append(message("m" + i));
			}
			return store.getFile();
		}
	}

	private static List<String> expected(int count) {
		List<String> expected = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			expected.add("m" + i);
		}
		return expected;
	}

	private static OutboundPublish message(String payload) {
		return new OutboundPublish("outbox/test", payload.getBytes(StandardCharsets.UTF_8), 1, false, List.of(), null,
				null, null, null, false);
	}

	private static List<String> payloads(List<MqttOutboxStore.StoredPublish> stored) {
		return stored.stream().map((message) -> new String(message.publish().payload(), StandardCharsets.UTF_8)).toList();
	}

}
