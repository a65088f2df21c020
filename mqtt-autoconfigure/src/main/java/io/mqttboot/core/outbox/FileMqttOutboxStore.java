package io.mqttboot.core.outbox;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

import io.mqttboot.core.MqttClientSettings;
import io.mqttboot.core.OutboundPublish;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;


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
 * <p>
 * One writer thread does all file I/O: each round it writes every publish appended since
 * the last round in one write, syncs once and wakes their publishers (group commit), then
 * records the removals of the round in one record, without fsync: a removal lost in a
 * crash only means the message is published once more (at-least-once). Publishers and the
 * network thread (which reports PUBACK/PUBCOMP) only put entries in a queue. The file is
 * truncated to its header whenever nothing is left in it, and rewritten with only the live
 * records (write, fsync, atomic rename) when it has grown past {@value #COMPACT_MIN_BYTES}
 * bytes and is less than half live.
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

	/** Guards the queues and the state shared with the writer thread; never held during I/O. */
	private final ReentrantLock lock = new ReentrantLock();

	private final Condition work = this.lock.newCondition();

	private final Condition durable = this.lock.newCondition();

	private List<Appended> appends = new ArrayList<>();

	private List<Long> removals = new ArrayList<>();

	private long nextId;

	private volatile long synced;

	private @Nullable IOException failure;

	private boolean closing;

	private volatile boolean closed;

	private final Thread writer;

	private List<StoredPublish> recovered;

	// Only the writer thread (and the constructor and close(), before and after it runs)
	// touches the file and these fields.

	private FileChannel channel;

	private long size;

	/** Live records: identifier to {offset, record length}, in identifier order. */
	private final LinkedHashMap<Long, long[]> live = new LinkedHashMap<>();

	private long liveBytes;

	private FileMqttOutboxStore(Path file, FileChannel lockChannel, FileLock fileLock, String clientName)
			throws IOException {
		this.file = file;
		this.lockChannel = lockChannel;
		this.fileLock = fileLock;
		this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		try {
			this.recovered = load();
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(this.channel);
			throw ex;
		}
		this.synced = this.nextId - 1;
		this.writer = new Thread(this::runWriter, "mqtt-" + clientName + "-outbox");
		this.writer.setDaemon(true);
		this.writer.start();
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
		if (!clientName.matches("[A-Za-z0-9._-]+") || clientName.startsWith(".")) {
			throw new IllegalStateException("MQTT client '" + clientName + "' cannot use the file outbox: its name"
					+ " names the file, so it may only contain letters, digits, '.', '_' and '-' and must not start"
					+ " with '.'");
		}
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
	public List<StoredPublish> recover() {
		this.lock.lock();
		try {
			List<StoredPublish> result = this.recovered;
			this.recovered = List.of();
			return result;
		}
		finally {
			this.lock.unlock();
		}
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
				DataInputStream data = new DataInputStream(new BufferedInputStream(in, 64 * 1024))) {
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
					DataInputStream record = new DataInputStream(new ByteArrayInputStream(body));
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
	public long append(OutboundPublish publish) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + publish.payload().length);
		writePublish(new DataOutputStream(bytes), publish);
		this.lock.lock();
		try {
			checkUsable();
			long id = this.nextId++;
			this.appends.add(new Appended(id, bytes.toByteArray()));
			this.work.signal();
			return id;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void awaitDurable(long id) throws IOException {
		if (this.synced >= id) {
			return;
		}
		this.lock.lock();
		try {
			while (this.synced < id) {
				if (this.failure != null || !this.writer.isAlive()) {
					checkUsable();
					throw new IOException("MQTT outbox file '" + this.file + "' is closed");
				}
				// The writer drains everything appended before it stops, so a close while
				// waiting still makes this message durable.
				this.durable.await(100, TimeUnit.MILLISECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for MQTT outbox file '" + this.file
					+ "' to be synced");
		}
		finally {
			this.lock.unlock();
		}
	}

	private void checkUsable() throws IOException {
		if (this.failure != null) {
			throw new IOException("MQTT outbox file '" + this.file + "' failed earlier: " + this.failure,
					this.failure);
		}
		if (this.closing) {
			throw new IOException("MQTT outbox file '" + this.file + "' is closed");
		}
	}

	@Override
	public void remove(long id) {
		if (id == NONE) {
			return;
		}
		this.lock.lock();
		try {
			this.removals.add(id);
			this.work.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The writer thread: writes what publishers appended since the last round in one go,
	 * syncs once for all of them (group commit) and wakes them, then records removals.
	 */
	private void runWriter() {
		while (true) {
			List<Appended> appended;
			List<Long> removed;
			this.lock.lock();
			try {
				while (this.appends.isEmpty() && this.removals.isEmpty() && !this.closing) {
					this.work.awaitUninterruptibly();
				}
				if (this.appends.isEmpty() && this.removals.isEmpty()) {
					return;
				}
				appended = this.appends;
				removed = this.removals;
				this.appends = new ArrayList<>();
				this.removals = new ArrayList<>();
			}
			finally {
				this.lock.unlock();
			}
			try {
				if (!appended.isEmpty()) {
					writePublishes(appended);
					this.channel.force(false);
					long last = appended.get(appended.size() - 1).id();
					this.lock.lock();
					try {
						this.synced = last;
						this.durable.signalAll();
					}
					finally {
						this.lock.unlock();
					}
				}
				if (!removed.isEmpty()) {
					writeRemovals(removed);
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.error("Could not write MQTT outbox file '" + this.file + "'; publishing with this client fails"
						+ " until it is restarted: " + ex, ex);
				this.lock.lock();
				try {
					this.failure = (ex instanceof IOException io) ? io : new IOException(ex);
					this.durable.signalAll();
				}
				finally {
					this.lock.unlock();
				}
				return;
			}
		}
	}

	private void writePublishes(List<Appended> appended) throws IOException {
		int total = 0;
		for (Appended message : appended) {
			total += FRAME_BYTES + 9 + message.bytes().length;
		}
		ByteBuffer buffer = ByteBuffer.allocate(total);
		long position = this.size;
		for (Appended message : appended) {
			ByteBuffer body = ByteBuffer.allocate(9 + message.bytes().length);
			body.put(PUBLISH).putLong(message.id()).put(message.bytes());
			int length = body.capacity();
			buffer.putInt(length).putInt(crc(body.array())).put(body.array());
			this.live.put(message.id(), new long[] { position, FRAME_BYTES + length });
			this.liveBytes += FRAME_BYTES + length;
			position += FRAME_BYTES + length;
		}
		buffer.flip();
		writeFully(this.channel, buffer, this.size);
		this.size = position;
	}

	private void writeRemovals(List<Long> ids) throws IOException {
		for (Long id : ids) {
			long[] record = this.live.remove(id);
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
		ByteBuffer body = ByteBuffer.allocate(5 + 8 * ids.size());
		body.put(REMOVE).putInt(ids.size());
		ids.forEach(body::putLong);
		ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES + body.capacity());
		frame.putInt(body.capacity()).putInt(crc(body.array())).put(body.array()).flip();
		writeFully(this.channel, frame, this.size);
		this.size += frame.capacity();
		if (this.size > COMPACT_MIN_BYTES && this.liveBytes * 2 < this.size) {
			compact();
		}
	}

	private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
		long at = position;
		while (buffer.hasRemaining()) {
			at += channel.write(buffer, at);
		}
	}

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
		logger.debug("Compacted MQTT outbox file '" + this.file + "' to " + this.size + " bytes (" + this.live.size()
				+ " messages)");
	}

	@Override
	public void close() {
		this.lock.lock();
		try {
			if (this.closing) {
				return;
			}
			this.closing = true;
			this.work.signal();
			this.durable.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		try {
			this.writer.join(TimeUnit.SECONDS.toMillis(10));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			if (!this.writer.isAlive()) {
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
		out.writeBoolean(publish.utf8Payload());
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
		// Added after the first records were written: older records end before it.
		boolean utf8Payload = in.available() > 0 && in.readBoolean();
		MqttClientSettings.checkQos(qos, "QoS of a stored message");
		return new OutboundPublish(topic, payload, qos, retain, List.copyOf(userProperties), contentType,
				responseTopic, correlationData, (expiry >= 0) ? Duration.ofMillis(expiry) : null, utf8Payload);
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

	private record Appended(long id, byte[] bytes) {

	}

}
