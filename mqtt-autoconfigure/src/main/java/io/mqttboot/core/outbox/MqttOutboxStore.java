package io.mqttboot.core.outbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.mqttboot.core.MqttClientManager;
import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.OutboundPublish;

/**
 * Where the outbox of a {@link MqttClientManager} keeps accepted QoS 1 and QoS 2 publishes
 * until the broker acknowledged them. The manager keeps its own in-memory queue either
 * way; a store only adds durability, so that a crash or {@code kill -9} loses nothing the
 * application was told was accepted.
 * <p>
 * Implementations: {@link #MEMORY} (the default, keeps nothing) and {@link FileMqttOutboxStore}
 * ({@code mqtt.outbox.store=file}).
 * <p>
 * Internal: not for use by applications; may change without notice.
 */
public interface MqttOutboxStore extends AutoCloseable {

	/**
	 * The identifier of a message that is not stored.
	 */
	long NONE = 0;

	/**
	 * The default store: nothing is written, the outbox lives in memory only.
	 */
	MqttOutboxStore MEMORY = new MqttOutboxStore() {

		@Override
		public boolean isDurable() {
			return false;
		}

		@Override
		public List<StoredPublish> recover() {
			return List.of();
		}

		@Override
		public long append(OutboundPublish publish) {
			return NONE;
		}

		@Override
		public void awaitDurable(long id) {
		}

		@Override
		public void remove(long id) {
		}

		@Override
		public String getLocation() {
			return "memory";
		}

		@Override
		public boolean isClosed() {
			return false;
		}

		@Override
		public void close() {
		}

	};

	/**
	 * Open the store the settings ask for.
	 * @param clientName the configured client name, which names the file
	 * @param settings the client settings
	 * @return the store
	 * @throws IllegalStateException if the file store cannot be opened
	 */
	static MqttOutboxStore create(String clientName, MqttClientSettings settings) {
		Path directory = settings.getOutboxDirectory();
		return (directory != null) ? FileMqttOutboxStore.open(directory, clientName) : MEMORY;
	}

	/**
	 * Return whether messages survive the process.
	 * @return {@code false} for the memory store
	 */
	boolean isDurable();

	/**
	 * Return the messages an earlier run accepted and the broker did not acknowledge, in
	 * the order they were accepted. Call once, right after opening.
	 * @return the messages to publish again
	 */
	List<StoredPublish> recover();

	/**
	 * Write a message; it is not durable before {@link #awaitDurable(long)} returned.
	 * @param publish the message
	 * @return its identifier, or {@link #NONE}
	 * @throws IOException if it could not be written
	 */
	long append(OutboundPublish publish) throws IOException;

	/**
	 * Wait until a written message is on stable storage (fsync); concurrent callers share
	 * one fsync.
	 * @param id the identifier {@link #append} returned
	 * @throws IOException if the sync failed
	 */
	void awaitDurable(long id) throws IOException;

	/**
	 * Forget a message the broker acknowledged (or refused). Never waits for I/O (it only
	 * queues the removal for a writer thread): called on the network thread.
	 * @param id the identifier {@link #append} returned
	 */
	void remove(long id);

	/**
	 * Return where the messages are kept, for messages to the user.
	 * @return the file, or {@code memory}
	 */
	String getLocation();

	/**
	 * Return whether {@link #close()} was called.
	 * @return whether the store is closed
	 */
	boolean isClosed();

	/**
	 * Write what is pending and release the file.
	 */
	@Override
	void close();

	/**
	 * A message recovered from the store.
	 *
	 * @param id its identifier, to {@link #remove(long)} it
	 * @param publish the message
	 */
	record StoredPublish(long id, OutboundPublish publish) {

	}

}
