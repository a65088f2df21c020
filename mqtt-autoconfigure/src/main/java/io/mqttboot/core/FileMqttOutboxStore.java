package io.mqttboot.core;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The durable outbox ({@code mqtt.outbox.store=file}): an append-only journal, one file
 * per client, {@code <directory>/<client name>.outbox}.
 * <p>
 * Why a journal and not an embedded key-value store: the outbox is a FIFO queue that is
 * appended at the tail and acknowledged (mostly) at the head, which is exactly a log. The
 * journal makes the two guarantees the outbox needs explicit and testable: a publish is
 * on stable storage ({@link FileChannel#force(boolean) fsync}) before its future is handed
 * back, with one fsync shared by concurrent publishers (group commit); and a record that
 * a crash tore in half is detected (length and CRC-32 framing), reported with the file
 * name and cut off, while every record before it is replayed. H2's MVStore, the obvious
 * embedded store, writes its chunks without fsync on commit (durability needs an extra
 * {@code sync()} per commit, H2 documents its durability limits), and a torn last chunk
 * is dropped as a whole and silently, so neither guarantee would be visible or testable
 * from here; it would also be a second storage engine of about 1 MB for a queue.
 * <p>
 * Format: an 8-byte header ({@code MQOB}, version 1), then records of
 * {@code [int length][int CRC-32 of the body][body]}. A body is either a publish
 * ({@code 1}, identifier, the message) or a removal ({@code 2}, count, identifiers).
 * Removals are written by one writer thread in batches, never on the network thread and
 * without fsync: a removal lost in a crash only means the message is published once more
 * (at-least-once). The file is truncated to its header whenever nothing is left in it,
 * and rewritten with only the live records (write, fsync, atomic rename) when it has grown
 * past {@value #COMPACT_MIN_BYTES} bytes and is less than half live.
 * <p>
 * A {@code <name>.outbox.lock} file holds an OS lock for as long as the store is open, so
 * that two processes never share one outbox.
 */
final class FileMqttOutboxStore implements MqttOutboxStore {

	private static final Log logger = LogFactory.getLog(FileMqttOutboxStore.class);

	private static final int MAGIC = 0x4D514F42;

	private static final int VERSION = 1;

	private static final int HEADER_BYTES = 8;

	private static final int FRAME_BYTES = 8;

	private static final byte PUBLISH = 1;

	private static final byte REMOVE = 2;

	/** A PUBLISH packet is at most 268,435,455 bytes [MQTT-2.2.3]; a record is not much more. */
	private static final int MAX_RECORD_BYTES = 268_435_455 + 64 * 1024;

	static final long COMPACT_MIN_BYTES = 4L * 1024 * 1024;

	private final Path file;

	private final FileChannel lockChannel;

	private final FileLock fileLock;

	private final ReentrantLock syncLock = new ReentrantLock();

	private final ConcurrentLinkedQueue<Long> removals = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean removalScheduled = new AtomicBoolean();

	private final ExecutorService writer;

	/** Live records: identifier to {offset, frame length}, in identifier order. Guarded by this. */
	private final LinkedHashMap<Long, long[]> live = new LinkedHashMap<>();

	private List<StoredPublish> recovered;

	private FileChannel channel;

	private long size;

	private long liveBytes;

	private long nextId;

	private volatile long written;

	private volatile long synced;

	private volatile boolean closed;

	private FileMqttOutboxStore(Path file, FileChannel lockChannel, FileLock fileLock, String clientName)
			throws IOException {
		this.file = file;
		this.lockChannel = lockChannel;
		this.fileLock = fileLock;
		this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		this.recovered = load();
		this.written = this.nextId - 1;
		this.synced = this.written;
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory("mqtt-" + clientName + "-outbox-");
		threadFactory.setDaemon(true);
		this.writer = Executors.newSingleThreadExecutor(threadFactory);
	}

	/**
	 * Open (or create) the outbox file of a client and read what an earlier run left.
	 * @param directory the directory, created if missing
	 * @param clientName the client name
	 * @return the store
	 * @throws IllegalStateException if the file cannot be opened, is not an outbox file, or
	 * another process has it open
	 */
	static FileMqttOutboxStore open(Path directory, String clientName) {
		Path file = directory.resolve(clientName + ".outbox");
		FileChannel lockChannel = null;
		try {
			Files.createDirectories(directory);
			lockChannel = FileChannel.open(directory.resolve(clientName + ".outbox.lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE);
			FileLock lock;
			try {
				lock = lockChannel.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				lock = null;
			}
			if (lock == null) {
				throw new IllegalStateException("MQTT outbox file '" + file + "' of client '" + clientName
						+ "' is in use by another client or process; give each application instance its own"
						+ " mqtt.outbox.directory");
			}
			return new FileMqttOutboxStore(file, lockChannel, lock, clientName);
		}
		catch (IOException ex) {
			closeQuietly(lockChannel);
			throw new IllegalStateException("Could not open MQTT outbox file '" + file + "' of client '" + clientName
					+ "': " + ex, ex);
		}
		catch (RuntimeException ex) {
			closeQuietly(lockChannel);
			throw ex;
		}
	}

	private static void closeQuietly(@Nullable AutoCloseable closeable) {
		if (closeable != null) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// Already failing.
			}
		}
	}

	Path getFile() {
		return this.file;
	}

	@Override
	public boolean isDurable() {
		return true;
	}

	@Override
	public String getLocation() {
		return this.file.toString();
	}

	@Override
	public boolean isClosed() {
		return this.closed;
	}

	@Override
	public synchronized List<StoredPublish> recover() {
		List<StoredPublish> result = this.recovered;
		this.recovered = List.of();
		return result;
	}

	private List<StoredPublish> load() throws IOException {
		long fileSize = this.channel.size();
		if (fileSize == 0) {
			writeHeader();
			this.nextId = 1;
			return List.of();
		}
		LinkedHashMap<Long, OutboundPublish> messages = new LinkedHashMap<>();
		long maxId = 0;
		long position = 0;
		String damage = null;
		try (InputStream in = Files.newInputStream(this.file);
				DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 64 * 1024))) {
			if (fileSize < HEADER_BYTES) {
				damage = "a torn header";
			}
			else {
				int magic = data.readInt();
				int version = data.readInt();
				if (magic != MAGIC || version != VERSION) {
					throw new IllegalStateException("File '" + this.file + "' is not an MQTT outbox file of version "
							+ VERSION + "; move it away or choose another mqtt.outbox.directory");
				}
				position = HEADER_BYTES;
			}
			while (damage == null && position < fileSize) {
				if (fileSize - position < FRAME_BYTES) {
					damage = "a torn record header";
					break;
				}
				int length = data.readInt();
				int crc = data.readInt();
				if (length < 1 || length > MAX_RECORD_BYTES) {
					damage = "a record with an impossible length (" + length + ")";
					break;
				}
				if (fileSize - position - FRAME_BYTES < length) {
					damage = "a torn record (" + (fileSize - position - FRAME_BYTES) + " of " + length + " bytes)";
					break;
				}
				byte[] body = data.readNBytes(length);
				if (body.length < length) {
					damage = "a torn record";
					break;
				}
				if (crc(body) != crc) {
					damage = "a record whose CRC-32 does not match";
					break;
				}
				try {
					DataInputStream record = new DataInputStream(new java.io.ByteArrayInputStream(body));
					byte type = record.readByte();
					if (type == PUBLISH) {
						long id = record.readLong();
						messages.put(id, readPublish(record));
						this.live.put(id, new long[] { position, FRAME_BYTES + length });
						this.liveBytes += FRAME_BYTES + length;
						maxId = Math.max(maxId, id);
					}
					else if (type == REMOVE) {
						int count = record.readInt();
						for (int i = 0; i < count; i++) {
							long id = record.readLong();
							messages.remove(id);
							long[] removed = this.live.remove(id);
							if (removed != null) {
								this.liveBytes -= removed[1];
							}
						}
					}
					else {
						damage = "a record of unknown type " + type;
						break;
					}
				}
				catch (IOException | RuntimeException ex) {
					damage = "a record that cannot be read (" + ex + ")";
					break;
				}
				position += FRAME_BYTES + length;
			}
		}
		if (damage != null) {
			logger.warn("MQTT outbox file '" + this.file + "' ends with " + damage + " at byte " + position + " ("
					+ (fileSize - position) + " bytes cut off), probably written while the process died; the "
					+ messages.size() + " complete messages before it are kept and published again");
			if (position < HEADER_BYTES) {
				this.channel.truncate(0);
				writeHeader();
				position = HEADER_BYTES;
			}
			else {
				this.channel.truncate(position);
			}
			this.channel.force(true);
		}
		this.size = Math.max(position, HEADER_BYTES);
		this.nextId = maxId + 1;
		List<StoredPublish> result = new ArrayList<>(messages.size());
		messages.forEach((id, publish) -> result.add(new StoredPublish(id, publish)));
		return List.copyOf(result);
	}

	private void writeHeader() throws IOException {
		ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION).flip();
		writeFully(this.channel, header, 0);
		this.size = HEADER_BYTES;
	}

	@Override
	public synchronized long append(OutboundPublish publish) throws IOException {
		checkOpen();
		long id = this.nextId++;
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + publish.payload().length);
		DataOutputStream out = new DataOutputStream(bytes);
		out.writeByte(PUBLISH);
		out.writeLong(id);
		writePublish(out, publish);
		long length = writeRecord(bytes.toByteArray());
		this.live.put(id, new long[] { this.size - length, length });
		this.liveBytes += length;
		this.written = id;
		return id;
	}

	private long writeRecord(byte[] body) throws IOException {
		ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES + body.length);
		frame.putInt(body.length).putInt(crc(body)).put(body).flip();
		writeFully(this.channel, frame, this.size);
		this.size += FRAME_BYTES + body.length;
		return FRAME_BYTES + body.length;
	}

	private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
		long at = position;
		while (buffer.hasRemaining()) {
			at += channel.write(buffer, at);
		}
	}

	@Override
	public void awaitDurable(long id) throws IOException {
		if (this.synced >= id) {
			return;
		}
		this.syncLock.lock();
		try {
			// Group commit: whoever holds the lock syncs everything written so far, so the
			// publishers that queued behind it usually find their record already synced.
			if (this.synced >= id) {
				return;
			}
			long target = this.written;
			FileChannel current;
			synchronized (this) {
				checkOpen();
				current = this.channel;
			}
			current.force(false);
			this.synced = Math.max(this.synced, target);
		}
		finally {
			this.syncLock.unlock();
		}
	}

	@Override
	public void remove(long id) {
		if (id == NONE) {
			return;
		}
		this.removals.add(id);
		if (this.removalScheduled.compareAndSet(false, true)) {
			try {
				this.writer.execute(this::writeRemovals);
			}
			catch (RejectedExecutionException ex) {
				// Closing: close() writes what is queued.
				this.removalScheduled.set(false);
			}
		}
	}

	private void writeRemovals() {
		this.removalScheduled.set(false);
		try {
			flushRemovals();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not write removals to MQTT outbox file '" + this.file
					+ "'; the messages may be published again after a restart: " + ex);
		}
	}

	private void flushRemovals() throws IOException {
		List<Long> ids = new ArrayList<>();
		Long id;
		while ((id = this.removals.poll()) != null) {
			ids.add(id);
		}
		if (ids.isEmpty()) {
			return;
		}
		this.syncLock.lock();
		try {
			synchronized (this) {
				if (this.closed) {
					return;
				}
				for (Long removed : ids) {
					long[] record = this.live.remove(removed);
					if (record != null) {
						this.liveBytes -= record[1];
					}
				}
				if (this.live.isEmpty()) {
					// Nothing left: start the file again instead of recording the removals.
					this.channel.truncate(HEADER_BYTES);
					this.size = HEADER_BYTES;
					return;
				}
				ByteArrayOutputStream bytes = new ByteArrayOutputStream(5 + 8 * ids.size());
				DataOutputStream out = new DataOutputStream(bytes);
				out.writeByte(REMOVE);
				out.writeInt(ids.size());
				for (Long removed : ids) {
					out.writeLong(removed);
				}
				writeRecord(bytes.toByteArray());
				if (this.size > COMPACT_MIN_BYTES && this.liveBytes * 2 < this.size) {
					compact();
				}
			}
		}
		finally {
			this.syncLock.unlock();
		}
	}

	/** Called with both locks held. */
	private void compact() throws IOException {
		Path temporary = this.file.resolveSibling(this.file.getFileName() + ".compact");
		LinkedHashMap<Long, long[]> moved = new LinkedHashMap<>();
		try (FileChannel target = FileChannel.open(temporary, StandardOpenOption.CREATE,
				StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			writeFully(target, ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION).flip(), 0);
			long position = HEADER_BYTES;
			for (Map.Entry<Long, long[]> entry : this.live.entrySet()) {
				long[] record = entry.getValue();
				ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(record[1]));
				long at = record[0];
				while (buffer.hasRemaining()) {
					int read = this.channel.read(buffer, at);
					if (read < 0) {
						throw new EOFException("Record " + entry.getKey() + " ends beyond the end of " + this.file);
					}
					at += read;
				}
				buffer.flip();
				writeFully(target, buffer, position);
				moved.put(entry.getKey(), new long[] { position, record[1] });
				position += record[1];
			}
			target.force(true);
		}
		Files.move(temporary, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		FileChannel old = this.channel;
		this.channel = FileChannel.open(this.file, StandardOpenOption.READ, StandardOpenOption.WRITE);
		old.close();
		this.size = this.channel.size();
		this.live.clear();
		this.live.putAll(moved);
		this.synced = this.written;
		logger.debug("Compacted MQTT outbox file '" + this.file + "' to " + this.size + " bytes (" + this.live.size()
				+ " messages)");
	}

	private void checkOpen() throws IOException {
		if (this.closed) {
			throw new IOException("MQTT outbox file '" + this.file + "' is closed");
		}
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.writer.shutdown();
		try {
			this.writer.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			flushRemovals();
			synchronized (this) {
				this.closed = true;
				this.channel.force(true);
				this.channel.close();
			}
		}
		catch (IOException ex) {
			logger.warn("Could not close MQTT outbox file '" + this.file + "' cleanly: " + ex);
		}
		finally {
			this.closed = true;
			closeQuietly(this.fileLock);
			closeQuietly(this.lockChannel);
		}
	}

	private static int crc(byte[] body) {
		CRC32 crc = new CRC32();
		crc.update(body);
		return (int) crc.getValue();
	}

	private static void writePublish(DataOutputStream out, OutboundPublish publish) throws IOException {
		writeString(out, publish.topic());
		out.writeInt(publish.payload().length);
		out.write(publish.payload());
		out.writeByte(publish.qos());
		out.writeBoolean(publish.retain());
		out.writeInt(publish.userProperties().size());
		for (Map.Entry<String, String> property : publish.userProperties()) {
			writeString(out, property.getKey());
			writeString(out, property.getValue());
		}
		writeNullableString(out, publish.contentType());
		writeNullableString(out, publish.responseTopic());
		byte[] correlationData = publish.correlationData();
		out.writeBoolean(correlationData != null);
		if (correlationData != null) {
			out.writeInt(correlationData.length);
			out.write(correlationData);
		}
		Duration expiry = publish.messageExpiry();
		out.writeLong((expiry != null) ? expiry.toMillis() : -1);
	}

	private static OutboundPublish readPublish(DataInputStream in) throws IOException {
		String topic = readString(in);
		byte[] payload = readBytes(in);
		int qos = in.readByte();
		boolean retain = in.readBoolean();
		int count = in.readInt();
		List<Map.Entry<String, String>> userProperties = new ArrayList<>(Math.min(count, 1024));
		for (int i = 0; i < count; i++) {
			userProperties.add(new AbstractMap.SimpleImmutableEntry<>(readString(in), readString(in)));
		}
		String contentType = readNullableString(in);
		String responseTopic = readNullableString(in);
		byte[] correlationData = in.readBoolean() ? readBytes(in) : null;
		long expiry = in.readLong();
		MqttClientSettings.checkQos(qos, "QoS of a stored message");
		return new OutboundPublish(topic, payload, qos, retain, List.copyOf(userProperties), contentType,
				responseTopic, correlationData, (expiry >= 0) ? Duration.ofMillis(expiry) : null);
	}

	private static void writeString(DataOutputStream out, String value) throws IOException {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		out.writeInt(bytes.length);
		out.write(bytes);
	}

	private static void writeNullableString(DataOutputStream out, @Nullable String value) throws IOException {
		out.writeBoolean(value != null);
		if (value != null) {
			writeString(out, value);
		}
	}

	private static String readString(DataInputStream in) throws IOException {
		return new String(readBytes(in), StandardCharsets.UTF_8);
	}

	private static @Nullable String readNullableString(DataInputStream in) throws IOException {
		return in.readBoolean() ? readString(in) : null;
	}

	private static byte[] readBytes(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > in.available()) {
			throw new EOFException("field length " + length + " is beyond the record");
		}
		return in.readNBytes(length);
	}

}
