package io.mqttboot.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.mqttboot.annotation.MqttListener;
import io.mqttboot.annotation.TopicVariable;
import io.mqttboot.core.MqttTemplate;
import io.mqttboot.support.MqttHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.Payload;

/**
 * Scale scenarios (issue 14): B8, fan-in from 1 to 100,000 distinct device topics
 * {@code sensors/{id}/temp} into one topic-template listener; B10, QoS 1 end to end at
 * payload sizes from 64 B to 256 KB; B12, a batch listener writing JDBC batches into H2 and,
 * with {@code --postgres}, PostgreSQL vs one insert per message; B13, {@code MqttTemplate.sendAndReceive} vs a hand-written MQTT 5
 * request/reply. Starter and raw HiveMQ client receive from one shared
 * publisher (a raw HiveMQ client, the same for both, so that only the receiving side differs),
 * in alternating rounds after a warm-up round.
 * <p>
 * {@code --virtual} starts the starter with {@code spring.threads.virtual.enabled=true} (its
 * listener workers become virtual threads where the starter supports it).
 */
final class ScaleMain {

	private final Report report;

	private final int rounds;

	private final boolean quick;

	private final Mqtt5AsyncClient publisher;

	private ScaleMain(Report report, int rounds, boolean quick, Mqtt5AsyncClient publisher) {
		this.report = report;
		this.rounds = rounds;
		this.quick = quick;
		this.publisher = publisher;
	}

	static void run(Args args) throws Exception {
		int port = args.getInt("port");
		boolean quick = args.has("quick");
		boolean virtual = args.has("virtual");
		String only = args.get("only", "B8,B10");
		Mqtt5AsyncClient publisher = client(port, "bench-scale-publisher");
		publisher.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
		RawReceiver raw = new RawReceiver(port);
		// B12's databases: the embedded H2 always, and a PostgreSQL server when --postgres
		// names one (run.sh starts a private cluster when PostgreSQL is installed).
		List<String> databases = new ArrayList<>(List.of("jdbc:h2:" + args.get("database", "mem:bench-b12")));
		if (args.get("postgres", null) != null) {
			databases.add(args.get("postgres"));
		}
		List<String> properties = new ArrayList<>(List.of("mqtt.url=tcp://127.0.0.1:" + port,
				"bench.b12.batch-max-size=" + args.get("b12-batch-max-size", "50"),
				"bench.b12.batch-max-wait=" + args.get("b12-batch-max-wait", "20ms"),
				"bench.b12.concurrency=" + args.get("b12-concurrency", "1"),
				"mqtt.client-id=bench-scale-starter", "spring.main.banner-mode=off", "logging.level.root=WARN"));
		if (virtual) {
			properties.add("spring.threads.virtual.enabled=true");
		}
		// More starter properties, comma-separated (for example mqtt.receive-maximum=20).
		String extra = args.get("starter-properties", "");
		if (!extra.isEmpty()) {
			properties.addAll(List.of(extra.split(",")));
		}
		ConfigurableApplicationContext context = null;
		try {
			context = new SpringApplicationBuilder(ScaleApp.class).web(WebApplicationType.NONE)
				.properties(properties.toArray(String[]::new))
				.run();
			Receiver starter = new Receiver("starter", context.getBean(ScaleListeners.class).sink);
			ScaleMain main = new ScaleMain(new Report(args.get("out")), args.getInt("rounds", 3), quick, publisher);
			main.probe(raw.receiver);
			main.probe(starter);
			String note = (virtual ? " Starter with spring.threads.virtual.enabled=true." : "")
					+ (extra.isEmpty() ? "" : " Starter properties: " + extra + ".");
			if (only.contains("B8")) {
				main.fanIn(List.of(raw.receiver, starter), args.get("chart", null), note);
			}
			if (only.contains("B10")) {
				main.payloadSizes(List.of(raw.receiver, starter), note);
			}
			// B13 before B12: after B12's inserts the databases may go on writing in the
			// background (PostgreSQL's checkpointer and WAL writer). B13 right after B12
			// measured +117.9 µs in one full run, B13 alone +47.7 and -12.3 µs.
			if (only.contains("B13")) {
				main.requestReply(raw, context.getBean(MqttTemplate.class), note);
			}
			if (only.contains("B12")) {
				main.batchInsert(context.getBean(ScaleListeners.class), databases,
						args.getInt("b12-count", quick ? 3_000 : 20_000), note);
			}
		}
		finally {
			if (context != null) {
				context.close();
			}
			raw.close();
			publisher.disconnect().get(10, TimeUnit.SECONDS);
		}
	}

	private static Mqtt5AsyncClient client(int port, String id) {
		return MqttClient.builder()
			.useMqttVersion5()
			.identifier(id)
			.serverHost("127.0.0.1")
			.serverPort(port)
			.buildAsync();
	}

	/** A receiving side: its name and the sink its listener counts into. */
	private record Receiver(String name, Sink sink) {

		String topic(String rest) {
			return this.name + "/" + rest;
		}

	}

	private void probe(Receiver receiver) throws Exception {
		receiver.sink().reset(Payloads.PROBE, Long.MAX_VALUE);
		byte[] probe = Payloads.of(Payloads.PROBE, 64);
		int attempts = 0;
		do {
			if (++attempts > 100) {
				throw new IllegalStateException(receiver.name() + " never received a probe");
			}
			send(receiver.topic("sensors/probe/temp"), probe);
			send(receiver.topic("size"), probe);
		}
		while (!receiver.sink().awaitAny(200));
		TimeUnit.MILLISECONDS.sleep(300);
	}

	private void send(String topic, byte[] payload) {
		this.publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
	}

	/**
	 * Publish {@code count} messages to the topics (message {@code i} to
	 * {@code topics[(offset + i) % topics.length]}) and time until the receiver counted them.
	 * @return messages per second
	 */
	private double once(Receiver receiver, String[] topics, int offset, int count, int size) throws Exception {
		byte tag = Payloads.nextTag();
		byte[] payload = Payloads.of(tag, size);
		Sink sink = receiver.sink();
		sink.reset(tag, count);
		long start = System.nanoTime();
		for (int i = 0; i < count; i++) {
			send(topics[(offset + i) % topics.length], payload);
		}
		long end = sink.await(start, 10_000, 300_000);
		long received = sink.received();
		TimeUnit.MILLISECONDS.sleep(200);
		if (sink.received() != count) {
			System.err.printf("  %s received %d of %d%n", receiver.name(), sink.received(), count);
		}
		return Math.min(received, count) / ((end - start) / 1e9);
	}

	/**
	 * Run every case in alternating rounds (raw first in even rounds, the other first in odd
	 * ones) and return the median rate per case and receiver.
	 */
	private Map<String, Map<String, Double>> measure(String id, List<Receiver> receivers, List<String> cases,
			CaseRun run) throws Exception {
		Map<String, Map<String, List<Double>>> rates = new LinkedHashMap<>();
		for (int round = 0; round <= this.rounds; round++) {
			for (String key : cases) {
				List<Receiver> order = new ArrayList<>(receivers);
				if (round % 2 == 1) {
					java.util.Collections.reverse(order);
				}
				for (Receiver receiver : order) {
					double rate = run.run(receiver, key, round);
					System.err.printf("%s %s %-10s %-7s %,.0f msg/s%n", id, (round == 0) ? "warm-up" : "round " + round,
							key, receiver.name(), rate);
					if (round > 0) {
						rates.computeIfAbsent(key, (k) -> new LinkedHashMap<>())
							.computeIfAbsent(receiver.name(), (k) -> new ArrayList<>())
							.add(rate);
					}
				}
			}
		}
		Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
		rates.forEach((key, byReceiver) -> byReceiver
			.forEach((name, values) -> medians.computeIfAbsent(key, (k) -> new LinkedHashMap<>())
				.put(name, Stats.median(values))));
		return medians;
	}

	private interface CaseRun {

		double run(Receiver receiver, String key, int round) throws Exception;

	}

	private void fanIn(List<Receiver> receivers, String chart, String note) throws Exception {
		int[] sizes = { 1, 10, 1_000, 10_000, 100_000 };
		int count = this.quick ? 20_000 : 100_000;
		Map<String, Map<String, String[]>> topics = new LinkedHashMap<>();
		List<String> cases = new ArrayList<>();
		for (int size : sizes) {
			String key = String.format("%,d", size);
			cases.add(key);
			for (Receiver receiver : receivers) {
				String[] names = new String[size];
				for (int i = 0; i < size; i++) {
					names[i] = receiver.topic("sensors/" + i + "/temp");
				}
				topics.computeIfAbsent(key, (k) -> new LinkedHashMap<>()).put(receiver.name(), names);
			}
		}
		Map<String, Map<String, Double>> medians = measure("B8", receivers, cases, (receiver, key, round) -> this
			.once(receiver, topics.get(key).get(receiver.name()), round * count, count, 64));
		this.report.section("B8 — fan-in: distinct device topics into one topic-template listener",
				String.format("%,d", count) + " QoS 1 messages of 64 B per run, spread round-robin over N topics"
						+ " {name}/sensors/{id}/temp (each round continues where the previous one stopped),"
						+ " published by one raw HiveMQ client shared by both receivers. raw: HiveMQ callback on"
						+ " {name}/sensors/+/temp that reads the id level; starter: @MqttListener(topics ="
						+ " \"starter/sensors/{id}/temp\", qos = 1) with @TopicVariable String id, byte[] payload."
						+ " Median of " + this.rounds + " alternating rounds after a warm-up round." + note);
		Report.Table table = this.report.table("topics", "raw msg/s", "starter msg/s", "starter × raw",
				"target ≥ 0.90");
		StringBuilder csv = new StringBuilder("topics,raw,starter\n");
		medians.forEach((key, byReceiver) -> {
			double rawRate = byReceiver.get("raw");
			double starterRate = byReceiver.get("starter");
			table.row(key, Stats.rate(rawRate), Stats.rate(starterRate), Stats.ratio(starterRate / rawRate),
					Stats.verdict(starterRate >= 0.90 * rawRate));
			csv.append(key.replace(",", "")).append(',').append(Math.round(rawRate)).append(',')
				.append(Math.round(starterRate)).append('\n');
		});
		table.print();
		if (chart != null) {
			Files.writeString(Path.of(chart + ".csv"), csv, StandardCharsets.UTF_8);
			Files.writeString(Path.of(chart), Chart.svg(medians), StandardCharsets.UTF_8);
		}
	}

	private void payloadSizes(List<Receiver> receivers, String note) throws Exception {
		int scale = this.quick ? 5 : 1;
		// About a second per run at each size: at 1,000 messages of 256 KB (0.2 s) rounds of
		// the same contender differed by up to 20 %.
		int[][] cells = { { 64, 50_000 / scale }, { 4096, 40_000 / scale }, { 65536, 20_000 / scale },
				{ 262144, 6_000 / scale } };
		Map<String, int[]> byKey = new LinkedHashMap<>();
		for (int[] cell : cells) {
			byKey.put((cell[0] >= 1024) ? (cell[0] / 1024) + " KB" : cell[0] + " B", cell);
		}
		Map<String, String[]> topics = new LinkedHashMap<>();
		for (Receiver receiver : receivers) {
			topics.put(receiver.name(), new String[] { receiver.topic("size") });
		}
		Map<String, Map<String, Double>> medians = measure("B10", receivers, new ArrayList<>(byKey.keySet()),
				(receiver, key, round) -> this.once(receiver, topics.get(receiver.name()), 0, byKey.get(key)[1],
						byKey.get(key)[0]));
		StringBuilder counts = new StringBuilder();
		byKey.forEach((key, cell) -> counts.append((counts.length() > 0) ? ", " : "")
			.append(String.format("%,d", cell[1]))
			.append(" at ")
			.append(key));
		this.report.section("B10 — QoS 1 end to end by payload size",
				"Messages per run: " + counts + "; one topic, published by one raw HiveMQ client shared by both"
						+ " receivers; raw: HiveMQ callback that copies the payload (getPayloadAsBytes); starter:"
						+ " @MqttListener(qos = 1) with a byte[] payload. MB/s = payload bytes received per"
						+ " second (MiB). Median of " + this.rounds + " alternating rounds after a warm-up round."
						+ note);
		Report.Table table = this.report.table("payload", "raw MB/s", "starter MB/s", "raw msg/s", "starter msg/s",
				"starter × raw", "target ≥ 0.95");
		medians.forEach((key, byReceiver) -> {
			int size = byKey.get(key)[0];
			double rawRate = byReceiver.get("raw");
			double starterRate = byReceiver.get("starter");
			table.row(key, Stats.fixed(rawRate * size / (1024 * 1024), 1),
					Stats.fixed(starterRate * size / (1024 * 1024), 1), Stats.rate(rawRate), Stats.rate(starterRate),
					Stats.ratio(starterRate / rawRate), Stats.verdict(starterRate >= 0.95 * rawRate));
		});
		table.print();
	}

	/**
	 * B12: one insert per message vs the batch listener, on each database in turn (H2, then
	 * PostgreSQL when given), with the counters of {@link ScaleListeners} telling how full the
	 * batches were and how long the listener methods took.
	 */
	private void batchInsert(ScaleListeners listeners, List<String> urls, int count, String note) throws Exception {
		Receiver single = new Receiver("single", listeners.singleSink);
		Receiver batch = new Receiver("batch", listeners.batchSink);
		String[] singleTopics = new String[100];
		String[] batchTopics = new String[100];
		for (int i = 0; i < 100; i++) {
			singleTopics[i] = "starter/ingest/single/" + i;
			batchTopics[i] = "starter/ingest/batch/" + i;
		}
		StringBuilder described = new StringBuilder();
		List<Object[]> rows = new ArrayList<>();
		for (String url : urls) {
			try (Database database = new Database(url)) {
				listeners.use(database);
				// The counters cover the measured rounds: reset when round 1 starts, and each
				// receiver's run time summed (count / rate) for the share of it spent in the listener.
				Map<String, Double> seconds = new LinkedHashMap<>();
				Map<String, Map<String, Double>> medians = measure("B12 " + database.name, List.of(single, batch),
						List.of("insert"), (receiver, key, round) -> {
							if (round == 1 && seconds.isEmpty()) {
								listeners.use(database);
							}
							double rate = this.once(receiver, (receiver == single) ? singleTopics : batchTopics, 0,
									count, 64);
							if (round > 0) {
								seconds.merge(receiver.name(), count / rate, Double::sum);
							}
							return rate;
						});
				double singleRate = medians.get("insert").get("single");
				double batchRate = medians.get("insert").get("batch");
				ScaleListeners.Totals totals = listeners.totals();
				rows.add(new Object[] { database.name, "one insert per message", Stats.rate(singleRate), "1.00", "1",
						Stats.fixed(totals.singleMicrosPerMessage(), 1),
						percent(totals.singleNanos() / 1e9 / seconds.get("single")), "" });
				rows.add(new Object[] { database.name, "batch listener", Stats.rate(batchRate),
						Stats.ratio(batchRate / singleRate),
						Stats.fixed(totals.meanBatch(), 1) + " (" + percent(totals.fullShare()) + " full)",
						Stats.fixed(totals.batchMicrosPerMessage(), 1),
						percent(totals.batchNanos() / 1e9 / seconds.get("batch")),
						Stats.verdict(batchRate >= 5 * singleRate) });
				described.append(" ")
					.append(database.describe())
					.append("; ")
					.append(String.format("%,d", database.rows()))
					.append(" rows in its table at the end.");
			}
		}
		listeners.use(null);
		this.report.section("B12 — batch listener inserting into a database vs one insert per message",
				String.format("%,d", count) + " QoS 1 messages of 64 B per run over 100 topics, published by one raw"
						+ " HiveMQ client. single:"
						+ " @MqttListener(topics = \"starter/ingest/single/{device}\", qos = 1) doing one INSERT per"
						+ " message on an auto-commit connection (one commit per message); batch:"
						+ " @MqttListener(batch = true, batchMaxSize = \"" + listeners.batchMaxSize
						+ "\", batchMaxWait = \"" + listeners.batchMaxWait + "\") with List<Message<byte[]>>, one JDBC"
						+ " batch (addBatch/executeBatch) and one commit per call (auto-commit off). Both listeners"
						+ " concurrency " + listeners.concurrency + ", one JDBC connection per listener thread;"
						+ " the broker's in-flight window: 100 with run.sh's mosquitto (max_inflight_messages)."
						+ described
						+ " Median of " + this.rounds + " alternating rounds after a warm-up round. \"mean batch\":"
						+ " messages per batch-listener call (full = batchMaxSize messages); \"listener µs/msg\": wall"
						+ " time inside the listener method per message; \"listener busy\": that time as a share of"
						+ " the runs' time (near 100 % with concurrency 1: the database is the limit; well below:"
						+ " the listener waits for messages); all three over the measured rounds."
						+ note);
		Report.Table table = this.report.table("database", "listener", "msg/s (median)",
				"× single", "mean batch", "listener µs/msg", "listener busy", "target batch ≥ 5 × single");
		rows.forEach(table::row);
		table.print();
	}

	private static String percent(double share) {
		return Math.round(100 * share) + " %";
	}

	/**
	 * A B12 database: one JDBC connection per listener thread, and one kept open for the
	 * table (an in-memory H2 database lives as long as a connection to it).
	 */
	static final class Database implements AutoCloseable {

		final String url;

		final String name;

		final boolean postgres;

		private final String settings;

		private final Connection admin;

		private final ThreadLocal<Connection> connections = new ThreadLocal<>();

		private final List<Connection> opened = new CopyOnWriteArrayList<>();

		Database(String url) throws SQLException {
			this.url = url;
			this.admin = DriverManager.getConnection(url);
			DatabaseMetaData meta = this.admin.getMetaData();
			this.postgres = meta.getDatabaseProductName().equals("PostgreSQL");
			this.name = (this.postgres ? "PostgreSQL " : "H2 ") + meta.getDatabaseProductVersion().split(" ")[0];
			if (this.postgres) {
				this.settings = meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " server ("
						+ url.replaceAll("\\?.*", "") + ", a private cluster on loopback TCP) with "
						+ show("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay")
						+ ": every commit waits for its WAL flush; table readings (id BIGINT GENERATED ALWAYS AS"
						+ " IDENTITY PRIMARY KEY, device VARCHAR(64), payload BYTEA), pgjdbc "
						+ meta.getDriverVersion() + " with default options";
			}
			else {
				try (Statement statement = this.admin.createStatement()) {
					statement.execute("CREATE TABLE IF NOT EXISTS readings (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
							+ " device VARCHAR(64), payload VARBINARY(1024))");
				}
				this.settings = "H2 " + meta.getDatabaseProductVersion() + " embedded (" + url
						+ "): WRITE_DELAY=0 writes every commit to the file, without an fsync";
			}
			rows();
		}

		private String show(String... names) throws SQLException {
			StringBuilder shown = new StringBuilder();
			try (Statement statement = this.admin.createStatement()) {
				for (String name : names) {
					try (ResultSet result = statement.executeQuery("SHOW " + name)) {
						result.next();
						shown.append((shown.length() > 0) ? ", " : "").append(name).append(' ').append(result.getString(1));
					}
				}
			}
			return shown.toString();
		}

		String describe() {
			return this.settings;
		}

		Connection connection(boolean autoCommit) throws SQLException {
			Connection connection = this.connections.get();
			if (connection == null) {
				connection = DriverManager.getConnection(this.url);
				connection.setAutoCommit(autoCommit);
				this.connections.set(connection);
				this.opened.add(connection);
			}
			return connection;
		}

		long rows() throws SQLException {
			try (Statement statement = this.admin.createStatement();
					ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM readings")) {
				result.next();
				return result.getLong(1);
			}
			catch (SQLException ex) {
				throw new SQLException("Cannot count the rows of table readings in " + this.url
						+ " (run.sh creates it in PostgreSQL)", ex);
			}
		}

		@Override
		public void close() throws SQLException {
			for (Connection connection : this.opened) {
				connection.close();
			}
			this.admin.close();
		}

	}

	private void requestReply(RawReceiver raw, MqttTemplate template, String note) throws Exception {
		int samples = this.quick ? 500 : 3_000;
		byte[] payload = Payloads.of(Payloads.nextTag(), 64);
		Map<String, RoundTripRun> contenders = new LinkedHashMap<>();
		contenders.put("raw", raw::request);
		contenders.put("starter", (bytes) -> {
			long start = System.nanoTime();
			template.sendAndReceive("starter/rpc", bytes, Duration.ofSeconds(10));
			return System.nanoTime() - start;
		});
		Map<String, List<Double>> p50 = new LinkedHashMap<>();
		Map<String, List<Double>> p99 = new LinkedHashMap<>();
		for (int round = 0; round <= this.rounds; round++) {
			List<String> order = new ArrayList<>(contenders.keySet());
			if (round % 2 == 1) {
				java.util.Collections.reverse(order);
			}
			for (String name : order) {
				long[] times = new long[(round == 0) ? samples * 2 : samples];
				for (int i = 0; i < times.length; i++) {
					times[i] = contenders.get(name).run(payload);
				}
				double median = Stats.percentile(times, 50) / 1000.0;
				double tail = Stats.percentile(times, 99) / 1000.0;
				System.err.printf("B13 %s %-7s p50 %.1f µs p99 %.1f µs%n", (round == 0) ? "warm-up" : "round " + round,
						name, median, tail);
				if (round > 0) {
					p50.computeIfAbsent(name, (k) -> new ArrayList<>()).add(median);
					p99.computeIfAbsent(name, (k) -> new ArrayList<>()).add(tail);
				}
			}
		}
		this.report.section("B13 — request/reply round trip (MQTT 5 response topic + correlation data)",
				samples + " sequential requests per run, one in flight, payload 64 B, QoS 1, requester and responder"
						+ " on one connection per contender. raw: HiveMQ publish with responseTopic and 16 random"
						+ " bytes of correlationData, a callback responder that publishes to the response topic"
						+ " with the correlation data, and a callback that completes the request's future;"
						+ " starter: MqttTemplate.sendAndReceive → @MqttListener returning the payload (the"
						+ " starter's built-in replying). Median over " + this.rounds
						+ " alternating rounds of each round's percentile." + note);
		Report.Table table = this.report.table("contender", "p50 µs", "p99 µs", "p50 − raw p50");
		double rawP50 = Stats.median(p50.get("raw"));
		for (String name : contenders.keySet()) {
			double median = Stats.median(p50.get(name));
			table.row(name, Stats.fixed(median, 1), Stats.fixed(Stats.median(p99.get(name)), 1),
					Stats.fixed(median - rawP50, 1));
		}
		table.print();
		double starterP50 = Stats.median(p50.get("starter"));
		this.report.write(String.format("%nTarget starter p50 ≤ raw p50 + 50 µs: %s (+%.1f µs).%n",
				Stats.verdict(starterP50 <= rawP50 + 50), starterP50 - rawP50));
	}

	private interface RoundTripRun {

		long run(byte[] payload) throws Exception;

	}

	/**
	 * The raw HiveMQ client receiving side: one connection, callback on the client's threads,
	 * automatic acknowledgement; reads the device id level as the starter's
	 * {@code @TopicVariable} does.
	 */
	private static final class RawReceiver implements AutoCloseable {

		final Receiver receiver = new Receiver("raw", new Sink());

		private final Mqtt5AsyncClient client;

		volatile int idLength;

		private final AtomicReference<Pending> pending = new AtomicReference<>();

		private final SecureRandom random = new SecureRandom();

		private record Pending(ByteBuffer correlation, CompletableFuture<Long> reply) {
		}

		/**
		 * Send one request with a response topic and correlation data and wait for its reply.
		 * @return the round-trip time in nanoseconds
		 */
		long request(byte[] payload) throws Exception {
			byte[] correlation = new byte[16];
			this.random.nextBytes(correlation);
			CompletableFuture<Long> reply = new CompletableFuture<>();
			this.pending.set(new Pending(ByteBuffer.wrap(correlation), reply));
			long start = System.nanoTime();
			this.client.publishWith()
				.topic("raw/rpc")
				.qos(MqttQos.AT_LEAST_ONCE)
				.responseTopic("raw/replies")
				.correlationData(correlation)
				.messageExpiryInterval(10)
				.payload(payload)
				.send();
			return reply.get(10, TimeUnit.SECONDS) - start;
		}

		RawReceiver(int port) throws Exception {
			this.client = client(port, "bench-scale-raw");
			this.client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, this::onMessage);
			this.client.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);
			for (String filter : List.of("raw/sensors/+/temp", "raw/size", "raw/rpc", "raw/replies")) {
				this.client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send()
					.get(10, TimeUnit.SECONDS);
			}
		}

		private void onMessage(Mqtt5Publish publish) {
			String topic = publish.getTopic().toString();
			if (topic.equals("raw/rpc")) {
				this.client.publishWith()
					.topic(publish.getResponseTopic().orElseThrow())
					.qos(MqttQos.AT_LEAST_ONCE)
					.correlationData(publish.getCorrelationData().orElseThrow())
					.payload(publish.getPayloadAsBytes())
					.send();
				return;
			}
			if (topic.equals("raw/replies")) {
				Pending pending = this.pending.get();
				if (pending != null && publish.getCorrelationData().map(pending.correlation()::equals).orElse(false)
						&& this.pending.compareAndSet(pending, null)) {
					pending.reply().complete(System.nanoTime());
				}
				return;
			}
			List<String> levels = publish.getTopic().getLevels();
			if (levels.size() == 4) {
				this.idLength = levels.get(2).length();
			}
			this.receiver.sink().accept(publish.getPayloadAsBytes()[0]);
		}

		@Override
		public void close() throws Exception {
			this.client.disconnect().get(10, TimeUnit.SECONDS);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ScaleApp {

		@Bean
		ScaleListeners scaleListeners() {
			return new ScaleListeners();
		}

	}

	static class ScaleListeners {

		final Sink sink = new Sink();

		final Sink singleSink = new Sink();

		final Sink batchSink = new Sink();

		volatile int idLength;

		@Value("${bench.b12.batch-max-size}")
		String batchMaxSize;

		@Value("${bench.b12.batch-max-wait}")
		String batchMaxWait;

		@Value("${bench.b12.concurrency}")
		String concurrency;

		private volatile @Nullable Database database;

		private final LongAdder singleNanos = new LongAdder();

		private final LongAdder singleMessages = new LongAdder();

		private final LongAdder batchNanos = new LongAdder();

		private final LongAdder batchMessages = new LongAdder();

		private final LongAdder batchCalls = new LongAdder();

		private final LongAdder fullBatches = new LongAdder();

		/** Write to this database from now on, with counters from zero. */
		void use(@Nullable Database database) {
			this.database = database;
			for (LongAdder adder : List.of(this.singleNanos, this.singleMessages, this.batchNanos, this.batchMessages,
					this.batchCalls, this.fullBatches)) {
				adder.reset();
			}
		}

		record Totals(long singleNanos, long singleMessages, long batchNanos, long batchMessages, long batchCalls,
				long fullBatches) {

			double singleMicrosPerMessage() {
				return this.singleNanos / 1000.0 / Math.max(1, this.singleMessages);
			}

			double batchMicrosPerMessage() {
				return this.batchNanos / 1000.0 / Math.max(1, this.batchMessages);
			}

			double meanBatch() {
				return (double) this.batchMessages / Math.max(1, this.batchCalls);
			}

			double fullShare() {
				return (double) this.fullBatches / Math.max(1, this.batchCalls);
			}

		}

		Totals totals() {
			return new Totals(this.singleNanos.sum(), this.singleMessages.sum(), this.batchNanos.sum(),
					this.batchMessages.sum(), this.batchCalls.sum(), this.fullBatches.sum());
		}

		private Database database() {
			Database database = this.database;
			if (database == null) {
				throw new IllegalStateException("No B12 database in use");
			}
			return database;
		}

		@MqttListener(id = "ingest-single", topics = "starter/ingest/single/{device}", qos = 1,
				concurrency = "${bench.b12.concurrency}")
		void insertOne(@Payload byte[] payload, @TopicVariable String device) throws SQLException {
			long start = System.nanoTime();
			try (PreparedStatement insert = database().connection(true)
				.prepareStatement("INSERT INTO readings (device, payload) VALUES (?, ?)")) {
				insert.setString(1, device);
				insert.setBytes(2, payload);
				insert.executeUpdate();
			}
			this.singleNanos.add(System.nanoTime() - start);
			this.singleMessages.increment();
			this.singleSink.accept(payload[0]);
		}

		// Default: half the broker's in-flight window (max_inflight_messages 100), so that one batch
		// fills while the previous one is written. A batch holds its messages unacknowledged: on a
		// broker that keeps to its window, a larger batch than the window never fills and waits for
		// batchMaxWait. mosquitto 2.0.11 sends past its window once acknowledgements flow (150 at a
		// window of 100 filled 91-95 % of the batches, B12_OPTS="--b12-batch-max-size 150").
		@MqttListener(id = "ingest-batch", topics = "starter/ingest/batch/+", qos = 1, batch = true,
				batchMaxSize = "${bench.b12.batch-max-size}", batchMaxWait = "${bench.b12.batch-max-wait}",
				concurrency = "${bench.b12.concurrency}")
		void insertBatch(List<Message<byte[]>> messages) throws SQLException {
			long start = System.nanoTime();
			Connection connection = database().connection(false);
			try (PreparedStatement insert = connection
				.prepareStatement("INSERT INTO readings (device, payload) VALUES (?, ?)")) {
				for (Message<byte[]> message : messages) {
					String topic = (String) message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC);
					insert.setString(1, topic.substring(topic.lastIndexOf('/') + 1));
					insert.setBytes(2, message.getPayload());
					insert.addBatch();
				}
				insert.executeBatch();
				connection.commit();
			}
			this.batchNanos.add(System.nanoTime() - start);
			this.batchMessages.add(messages.size());
			this.batchCalls.increment();
			if (messages.size() == Integer.parseInt(this.batchMaxSize)) {
				this.fullBatches.increment();
			}
			for (Message<byte[]> message : messages) {
				this.batchSink.accept(message.getPayload()[0]);
			}
		}

		@MqttListener(id = "rpc", topics = "starter/rpc", qos = 1)
		byte[] onRequest(@Payload byte[] payload) {
			return payload;
		}

		@MqttListener(id = "fan-in", topics = "starter/sensors/{id}/temp", qos = 1)
		void onReading(@Payload byte[] payload, @TopicVariable String id) {
			this.idLength = id.length();
			this.sink.accept(payload[0]);
		}

		@MqttListener(id = "size", topics = "starter/size", qos = 1)
		void onPayload(@Payload byte[] payload) {
			this.sink.accept(payload[0]);
		}

	}

	/**
	 * A small SVG line chart of the B8 medians (messages per second over the number of topics, the
	 * measured sizes evenly spaced on the x axis).
	 */
	static final class Chart {

		private Chart() {
		}

		static String svg(Map<String, Map<String, Double>> medians) {
			int width = 560;
			int height = 300;
			int left = 70;
			int right = 110;
			int top = 30;
			int bottom = 40;
			double max = medians.values().stream().flatMap((m) -> m.values().stream()).mapToDouble(Double::doubleValue)
				.max().orElse(1) * 1.1;
			List<String> keys = new ArrayList<>(medians.keySet());
			StringBuilder svg = new StringBuilder();
			svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
				.append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
			svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
			svg.append("<text x=\"").append(left).append("\" y=\"18\">B8 fan-in: QoS 1 msg/s by distinct topics</text>\n");
			int plotWidth = width - left - right;
			int plotHeight = height - top - bottom;
			svg.append(line(left, top + plotHeight, left + plotWidth, top + plotHeight, "black"));
			svg.append(line(left, top, left, top + plotHeight, "black"));
			for (int i = 0; i <= 4; i++) {
				double value = max * i / 4;
				double y = top + plotHeight - plotHeight * i / 4.0;
				svg.append(String.format("<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%,.0f</text>%n", left - 6,
						y + 4, value));
			}
			for (int i = 0; i < keys.size(); i++) {
				double x = left + (keys.size() == 1 ? 0 : plotWidth * i / (double) (keys.size() - 1));
				svg.append(String.format("<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
						top + plotHeight + 18, keys.get(i)));
			}
			String[] colors = { "#1f77b4", "#d62728" };
			String[] names = { "raw", "starter" };
			for (int n = 0; n < names.length; n++) {
				StringBuilder points = new StringBuilder();
				for (int i = 0; i < keys.size(); i++) {
					double x = left + (keys.size() == 1 ? 0 : plotWidth * i / (double) (keys.size() - 1));
					double y = top + plotHeight - plotHeight * medians.get(keys.get(i)).get(names[n]) / max;
					points.append(String.format("%.1f,%.1f ", x, y));
					svg.append(String.format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y,
							colors[n]));
				}
				svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colors[n])
					.append("\" points=\"").append(points.toString().trim()).append("\"/>\n");
				svg.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", left + plotWidth + 12,
						top + 20 + 18 * n, colors[n], names[n]));
			}
			svg.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">distinct topics</text>%n",
					left + plotWidth / 2, height - 6));
			svg.append("</svg>\n");
			return svg.toString();
		}

		private static String line(int x1, int y1, int x2, int y2, String color) {
			return String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n", x1, y1, x2, y2,
					color);
		}

	}

}
