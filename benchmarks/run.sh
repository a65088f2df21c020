#!/usr/bin/env bash
# Side-by-side MQTT benchmarks (issue 6): starter vs raw HiveMQ client vs spring-integration-mqtt
# (Paho) vs the mosquitto command-line clients, in one run, against one mosquitto that this script
# starts on a free loopback port. Prints markdown tables and keeps them in
# benchmarks/target/results.md.
#
#   benchmarks/run.sh            full run (about 12 minutes on 2 cores)
#   benchmarks/run.sh --quick    smoke run with small counts (about 4 minutes)
#   benchmarks/run.sh --only B8,B10   only the named scenarios (B1 … B14), with or without --quick
#   benchmarks/run.sh --virtual  the starter of the scale scenarios (B8, B10, B12, B13) runs with
#                                spring.threads.virtual.enabled=true
#
# B9's virtual-thread rows need Java 21+: B9_JAVA=/path/to/jdk-21+/bin/java (default: java on
# the PATH; with an older java the rows say so). B9_CONCURRENCY (default "1 16 64 200", platform
# threads) and B9_VIRTUAL_CONCURRENCY (default "200 1000") choose B9's rows. B9 writes its chart
# to benchmarks/target/b9-blocking.svg (+ .csv).
#
# Needs JDK 17+, mosquitto and mosquitto-clients (apt-get install -y mosquitto mosquitto-clients).
# B12 also writes into PostgreSQL when its initdb is found (on the PATH or under
# /usr/lib/postgresql/*/bin): a private cluster on a free loopback port; without it, H2 only.
# B12_OPTS="--b12-batch-max-size 100 --b12-batch-max-wait 20ms --b12-concurrency 2 --b12-count 20000"
# changes B12's listener settings (defaults 50, 20ms, concurrency 1) and messages per run;
# --starter-properties mqtt.receive-maximum=20,... adds starter properties (B8-B13).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/benchmarks"
QUICK=""
ROUNDS=5
STARTUP_ROUNDS=3
B7_SECONDS=60
B7_BACKLOG=70000
SKIP_BUILD=""
B9_ROUND_SECONDS=3
B9_CEILING_SECONDS=3
B9_CAP_MESSAGES=200000
B9_ROUNDS=3
B9_CONCURRENCY=${B9_CONCURRENCY-1 16 64 200}
B9_VIRTUAL_CONCURRENCY=${B9_VIRTUAL_CONCURRENCY-200 1000}
B9_JAVA=${B9_JAVA:-java}
ONLY=""
VIRTUAL=""
ARGS=("$@")
while [[ $# -gt 0 ]]; do
	case "$1" in
		--quick) QUICK="--quick"; ROUNDS=3; B7_SECONDS=10; B7_BACKLOG=5000; B9_ROUND_SECONDS=1; B9_CEILING_SECONDS=1; B9_CAP_MESSAGES=50000; B9_ROUNDS=1 ;;
		--skip-build) SKIP_BUILD=1 ;;
		--virtual) VIRTUAL="--virtual" ;;
		--only) shift; ONLY="${1:-}" ;;
		--only=*) ONLY="${1#--only=}" ;;
		*) echo "Usage: $0 [--quick] [--skip-build] [--only B1,B8,...] [--virtual]" >&2; exit 2 ;;
	esac
	shift
done
# want ID: whether scenario ID runs (all of them without --only).
want() {
	[[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]
}
# selected IDS...: the comma-separated subset of IDS that runs.
selected() {
	local id list=""
	for id in "$@"; do
		want "$id" && list="${list:+$list,}$id"
	done
	echo "$list"
}
for tool in java mosquitto mosquitto_pub mosquitto_sub; do
	command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install -y mosquitto mosquitto-clients)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/mqtt-bench.XXXXXX)
OUT="$BENCH/target/results.md"
BROKER_PIDS=()
cleanup() {
	if declare -F stop_postgres >/dev/null; then
		stop_postgres
	fi
	for pid in "${BROKER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# Build the starter from this work tree into a private local repository (other work trees
# install their own 0.1.0-SNAPSHOT into ~/.m2 at any time), then the benchmarks fat jar.
if [[ -z "$SKIP_BUILD" ]]; then
	REPO=(-Dmaven.repo.local="$BENCH/target/m2" -Dmaven.repo.local.tail="$HOME/.m2/repository")
	mvn_quiet() { (cd "$ROOT" && { ./mvnw -q -B -o "${REPO[@]}" "$@" || ./mvnw -q -B "${REPO[@]}" "$@"; }); }
	echo "Building the starter and benchmarks.jar ..." >&2
	mvn_quiet install -Dmaven.test.skip=true -pl mqtt-starter,mqtt-test -am
	# The jar plugin skips an up-to-date jar, and shade would then read the previous shaded jar
	# (old starter classes first): always shade from scratch.
	rm -f "$BENCH/target/benchmarks.jar" "$BENCH/target/original-benchmarks.jar"
	mvn_quiet -f benchmarks/pom.xml package -DskipTests
fi
JAR="$BENCH/target/benchmarks.jar"

# start_broker NAME EXTRA_CONFIG: starts mosquitto on a free port, sets BROKER_PORT.
start_broker() {
	local name=$1 extra=$2 port conf pid
	for _ in $(seq 1 30); do
		port=$((20000 + RANDOM % 10000))
		if ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
			continue
		fi
		conf="$WORK/$name.conf"
		cat > "$conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
user root
# The same flow-control limits for every contender (see docs/performance.md):
max_inflight_messages 100
max_queued_messages 1000000
set_tcp_nodelay true
log_dest file $WORK/$name.log
log_type error
log_type warning
log_type notice
$extra
CONF
		mosquitto -c "$conf" >"$WORK/$name.out" 2>&1 &
		pid=$!
		for _ in $(seq 1 50); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				BROKER_PIDS+=("$pid")
				BROKER_PORT=$port
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
	done
	echo "Could not start mosquitto ($name)" >&2
	cat "$WORK/$name.out" >&2 || true
	return 1
}

# B12's PostgreSQL: a throwaway cluster (initdb into a temporary directory, a free loopback
# port, trust authentication on 127.0.0.1 only) with PostgreSQL's default durability settings,
# which are the ones users run: fsync on, synchronous_commit on. Sets POSTGRES_URL. initdb and
# the server refuse to run as root: as root they run as the postgres user.
PG_DATA=""
PG_CTL=""
PG_AS=()
PG_REASON=""
start_postgres() {
	local initdb bin port
	initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
	if [[ -z "$initdb" ]]; then
		PG_REASON="PostgreSQL is not installed (no initdb)"
		return 1
	fi
	bin=$(dirname "$(readlink -f "$initdb")")
	PG_CTL="$bin/pg_ctl"
	PG_DATA=$(mktemp -d /tmp/mqtt-bench-pg.XXXXXX)
	if [[ $(id -u) -eq 0 ]]; then
		if ! id postgres >/dev/null 2>&1; then
			PG_REASON="running as root and there is no postgres user to run PostgreSQL"
			return 1
		fi
		chown postgres "$PG_DATA"
		PG_AS=(runuser -u postgres --)
	fi
	if ! "${PG_AS[@]}" "$bin/initdb" -D "$PG_DATA/data" -U bench --auth=trust --encoding=UTF8 --locale=C \
			>"$PG_DATA/initdb.log" 2>&1; then
		PG_REASON="initdb failed"
		cat "$PG_DATA/initdb.log" >&2
		return 1
	fi
	for _ in $(seq 1 30); do
		port=$((30000 + RANDOM % 10000))
		if ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
			continue
		fi
		if "${PG_AS[@]}" "$PG_CTL" -D "$PG_DATA/data" -l "$PG_DATA/server.log" -w -t 60 \
				-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DATA" \
				start >/dev/null 2>&1; then
			if "$bin/psql" -q -h 127.0.0.1 -p "$port" -U bench -d postgres -v ON_ERROR_STOP=1 -c \
					"CREATE TABLE readings (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, device VARCHAR(64), payload BYTEA)" \
					>&2; then
				POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/postgres?user=bench"
				echo "- B12 database: $("$bin/postgres" --version) on 127.0.0.1:$port (private cluster, default settings)" | tee -a "$OUT"
				return 0
			fi
			break
		fi
	done
	PG_REASON="PostgreSQL did not start"
	cat "$PG_DATA/server.log" >&2 2>/dev/null || true
	return 1
}
stop_postgres() {
	if [[ -n "$PG_DATA" ]]; then
		if [[ -f "$PG_DATA/data/postmaster.pid" ]]; then
			"${PG_AS[@]}" "$PG_CTL" -D "$PG_DATA/data" -m fast -w stop >/dev/null 2>&1 || true
		fi
		rm -rf "$PG_DATA"
		PG_DATA=""
	fi
}

start_broker broker ""
PORT=$BROKER_PORT
# B6 counts SUBSCRIBE packets in a debug log; debug logging would slow the throughput runs, so
# the startup runs get their own broker.
start_broker startup-broker "log_type all"
STARTUP_PORT=$BROKER_PORT

mkdir -p "$BENCH/target"
: > "$OUT"
{
	echo "## Benchmark run $(date -u '+%Y-%m-%d %H:%M UTC')${QUICK:+ (quick)}"
	echo
	echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
	echo "- JDK: $(java -version 2>&1 | head -2 | tail -1)"
	echo "- broker: $(mosquitto -h 2>&1 | head -1) on 127.0.0.1 (max_inflight_messages 100, max_queued_messages 1000000, set_tcp_nodelay true)"
	echo "- clients: HiveMQ MQTT client 1.4.2 (raw, starter), spring-integration-mqtt 7.0.5 + Paho 1.2.5: MQTT 3.1.1 adapters (si) and MQTT 5 adapters (si5), mosquitto_pub/mosquitto_sub 2.0.11 (c)"
	echo "- starter: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- mqtt-autoconfigure mqtt-starter || echo ' (with uncommitted changes)')"
	echo "- command: benchmarks/run.sh ${ARGS[*]}"
} | tee -a "$OUT"
# B12 writes into H2 and, when PostgreSQL is installed, into a private PostgreSQL cluster
# (start_postgres) with its default durability settings (fsync on, synchronous_commit on).
B12_POSTGRES=()
if want B12; then
	if start_postgres; then
		B12_POSTGRES=(--postgres "$POSTGRES_URL")
	else
		echo "- B12 database: H2 only: $PG_REASON" | tee -a "$OUT"
	fi
fi

# B9: a listener blocking 5 ms per message, 1,000 topics, QoS 0: the broker cap first (no-op
# subscriber), then one JVM per row: the starter on platform threads (per-topic lanes, the default for
# concurrency > 1, then hashed workers) and spring-integration-mqtt (Paho 3.1.1 adapter -> executor channel on N platform
# threads) at each of B9_CONCURRENCY, then both on virtual threads (Java 21+) at each of
# B9_VIRTUAL_CONCURRENCY. A round holds B9_ROUND_SECONDS of messages at min(ideal, broker cap).
blocking_listener() {
	local b9_version concurrency cap row=(-Xmx1g -jar "$JAR" blocking-listener --port "$PORT" --out "$OUT" \
		--rounds "$B9_ROUNDS" --round-seconds "$B9_ROUND_SECONDS" --ceiling-seconds "$B9_CEILING_SECONDS" \
		--csv "$BENCH/target/b9-blocking.svg.csv")
	b9_version=$("$B9_JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
	"$B9_JAVA" -Xmx1g -jar "$JAR" blocking-listener-header --port "$PORT" --out "$OUT" --cap-messages "$B9_CAP_MESSAGES" \
		--cap-rounds "$B9_ROUNDS" --round-seconds "$B9_ROUND_SECONDS" --cap-file "$WORK/b9-cap" \
		--csv "$BENCH/target/b9-blocking.svg.csv"
	cap=$(cat "$WORK/b9-cap")
	for concurrency in $B9_CONCURRENCY; do
		"$B9_JAVA" "${row[@]}" --broker-cap "$cap" --concurrency "$concurrency" --per-topic-lanes
		"$B9_JAVA" "${row[@]}" --broker-cap "$cap" --concurrency "$concurrency"
		"$B9_JAVA" "${row[@]}" --broker-cap "$cap" --concurrency "$concurrency" --contender si
	done
	for concurrency in $B9_VIRTUAL_CONCURRENCY; do
		if [[ "${b9_version%%.*}" -ge 21 ]]; then
			"$B9_JAVA" "${row[@]}" --broker-cap "$cap" --concurrency "$concurrency" --virtual
			"$B9_JAVA" "${row[@]}" --broker-cap "$cap" --concurrency "$concurrency" --virtual --contender si
		else
			echo "| starter, si | virtual | $concurrency | Java $b9_version | skipped: virtual threads need Java 21+ (set B9_JAVA) | | | | | | | | | | | |" | tee -a "$OUT"
		fi
	done
	java -jar "$JAR" blocking-listener-chart --csv "$BENCH/target/b9-blocking.svg.csv" \
		--chart "$BENCH/target/b9-blocking.svg"
}
if want B9; then
	blocking_listener
fi

JAVA_E2E=(java -Xmx2g -jar "$JAR")
E2E=$(selected B1 B2 B3 B5)
if [[ -n "$E2E" ]]; then
	"${JAVA_E2E[@]}" e2e --port "$PORT" --rounds "$ROUNDS" --out "$OUT" --only "$E2E" $QUICK
fi
SCALE=$(selected B8 B10 B12 B13)
if [[ -n "$SCALE" ]]; then
	"${JAVA_E2E[@]}" scale --port "$PORT" --rounds "$ROUNDS" --out "$OUT" --only "$SCALE" \
		--chart "$BENCH/target/b8-fan-in.svg" --database "file:$WORK/b12;WRITE_DELAY=0" "${B12_POSTGRES[@]}" \
		$QUICK $VIRTUAL ${B12_OPTS:-}
fi
stop_postgres
if want B11; then
	java -jar "$JAR" allocation --port "$PORT" --out "$OUT" --jmh-log "$BENCH/target/jmh-allocation.txt" $QUICK
fi
if want B4; then
	java -jar "$JAR" dispatch --out "$OUT" --jmh-log "$BENCH/target/jmh-output.txt" $QUICK
fi
# B6: 1 vs 500 listeners; B14: 1 listener vs the same application without the starter (0),
# and without the starter but with the plain HiveMQ client connecting and subscribing (-1).
VARIANTS=""
want B14 && VARIANTS="0,-1,"
{ want B6 || want B14; } && VARIANTS="${VARIANTS}1"
want B6 && VARIANTS="${VARIANTS},500"
if [[ -n "$VARIANTS" ]]; then
	java -jar "$JAR" startup --port "$STARTUP_PORT" --broker-log "$WORK/startup-broker.log" --rounds "$STARTUP_ROUNDS" \
		--variants "$VARIANTS" --out "$OUT"
fi
# B7 runs twice: against mosquitto with the starter's defaults (mosquitto's own window applies
# and it does not keep to it), and against Moquette (own JVM) with a receive maximum, which it
# keeps to.
slow_consumer() {
	local port=$1 broker=$2 status
	shift 2
	set +e
	java -Xmx256m -XX:+ExitOnOutOfMemoryError -jar "$JAR" slow-consumer --port "$port" --seconds "$B7_SECONDS" \
		--backlog "$B7_BACKLOG" --broker "$broker" --out "$OUT" "$@"
	status=$?
	set -e
	if [[ $status -ne 0 ]]; then
		echo -e "\n### B7 — slow consumer on $broker\n\nFAILED: the JVM exited with status $status (3 = OutOfMemoryError). Target **missed**." | tee -a "$OUT"
	fi
}
if want B7; then
	slow_consumer "$PORT" "$(mosquitto -h 2>&1 | head -1 | sed 's/ version//')"
	java -Xmx1g -jar "$JAR" moquette --port-file "$WORK/moquette.port" 2>"$WORK/moquette.log" &
	BROKER_PIDS+=("$!")
	for _ in $(seq 1 100); do
		[[ -s "$WORK/moquette.port" ]] && break
		sleep 0.2
	done
	if [[ -s "$WORK/moquette.port" ]]; then
		# mqtt.receive-maximum=1000: sent to the broker (the default is not), which Moquette keeps to.
		slow_consumer "$(cat "$WORK/moquette.port")" "Moquette 0.18.3" --receive-maximum 1000
	else
		echo "Moquette did not start:" >&2
		cat "$WORK/moquette.log" >&2
	fi
fi
if grep -q "dropped" "$WORK/broker.log"; then
	echo -e "\nBroker log: $(grep -c dropped "$WORK/broker.log") 'messages are being dropped' notices." | tee -a "$OUT"
fi
echo
echo "Results: $OUT"
