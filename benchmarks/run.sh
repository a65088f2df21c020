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
# B9's virtual-thread row needs Java 21+: B9_JAVA=/path/to/jdk-21+/bin/java (default: java on
# the PATH; with an older java the row says so).
#
# Needs JDK 17+, mosquitto and mosquitto-clients (apt-get install -y mosquitto mosquitto-clients).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH="$ROOT/benchmarks"
QUICK=""
ROUNDS=5
STARTUP_ROUNDS=3
B7_SECONDS=60
B7_BACKLOG=70000
SKIP_BUILD=""
B9_PER_TOPIC=200
B9_ROUNDS=3
B9_JAVA=${B9_JAVA:-java}
ONLY=""
VIRTUAL=""
ARGS=("$@")
while [[ $# -gt 0 ]]; do
	case "$1" in
		--quick) QUICK="--quick"; ROUNDS=3; B7_SECONDS=10; B7_BACKLOG=5000; B9_PER_TOPIC=40; B9_ROUNDS=1 ;;
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

# B9: a listener blocking 5 ms (and 20 ms: an ideal rate far below what the machine can do),
# concurrency 200, 1,000 topics; platform threads (hashed, then per-topic lanes), then virtual threads.
blocking_listener() {
	local b9_version block per_topic
	b9_version=$("$B9_JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
	for block in 5 20; do
		per_topic=$((B9_PER_TOPIC * 5 / block))
		java -jar "$JAR" blocking-listener-header --out "$OUT" --per-topic "$per_topic" --block-ms "$block"
		"$B9_JAVA" -Xmx1g -jar "$JAR" blocking-listener --port "$PORT" --out "$OUT" --per-topic "$per_topic" \
			--rounds "$B9_ROUNDS" --block-ms "$block"
		"$B9_JAVA" -Xmx1g -jar "$JAR" blocking-listener --port "$PORT" --out "$OUT" --per-topic "$per_topic" \
			--rounds "$B9_ROUNDS" --block-ms "$block" --per-topic-lanes
		if [[ "${b9_version%%.*}" -ge 21 ]]; then
			"$B9_JAVA" -Xmx1g -jar "$JAR" blocking-listener --port "$PORT" --out "$OUT" --per-topic "$per_topic" \
				--rounds "$B9_ROUNDS" --block-ms "$block" --virtual
		else
			echo "| virtual | Java $b9_version | skipped: virtual threads need Java 21+ (set B9_JAVA) | | | | | | |" | tee -a "$OUT"
		fi
	done
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
		--chart "$BENCH/target/b8-fan-in.svg" --database "file:$WORK/b12;WRITE_DELAY=0" $QUICK $VIRTUAL
fi
if want B11; then
	java -jar "$JAR" allocation --port "$PORT" --out "$OUT" --jmh-log "$BENCH/target/jmh-allocation.txt" $QUICK
fi
if want B4; then
	java -jar "$JAR" dispatch --out "$OUT" --jmh-log "$BENCH/target/jmh-output.txt" $QUICK
fi
# B6: 1 vs 500 listeners; B14: 1 listener vs the same application without the starter (0).
VARIANTS=""
want B14 && VARIANTS="0,"
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
