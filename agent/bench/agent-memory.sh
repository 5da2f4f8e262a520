#!/usr/bin/env bash
# Steady-state memory of the whole agent (the real Main with agent/jvm.options, against the local stack),
# side by side, in one run, with Debian's prometheus-node-exporter scraped at the same interval and two JVM
# references with the same flags: an idle JVM, and a JVM that only sends one 1 KB record per interval with a
# KafkaProducer configured like the agent's (the floor any Java agent with the Kafka client starts from).
# Prints RSS figures (from /proc/<pid>/status) and ratios; asserts nothing.
#
# Usage: agent/bench/agent-memory.sh [--minutes N] [--warmup SECONDS] [--intervals "10s 1s"]
#                                     [--node-exporter PATH] [--java PATH]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
minutes=5
warmup=60
intervals="10s 1s"
node_exporter=/usr/bin/prometheus-node-exporter
java_bin=java
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --intervals) intervals=$2; shift 2 ;;
    --node-exporter) node_exporter=$2; shift 2 ;;
    --java) java_bin=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

"$ROOT/deploy/local/stack.sh" status >/dev/null 2>&1 || { echo "the local stack is not running: ./nodepulse stack up" >&2; exit 1; }
eval "$("$ROOT/deploy/local/stack.sh" env)"
jar=$ROOT/agent/target/nodepulse-agent.jar
lib=$ROOT/agent/target/lib
if [[ ! -f $jar || ! -d $lib ]]; then
  (cd "$ROOT" && mvn -B -q -pl agent package -DskipTests)
fi

work=$(mktemp -d /tmp/agent-memory.XXXXXX)
cat >"$work/Reference.java" <<'JAVA'
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** args: BOOTSTRAP TOPIC SECONDS */
public class Reference {
    public static void main(String[] a) throws Exception {
        Map<String, Object> p = Map.of("bootstrap.servers", a[0], "acks", "all", "enable.idempotence", true,
                "compression.type", "zstd", "linger.ms", 100, "batch.size", 262144, "buffer.memory", 4194304L,
                "metric.reporters", "", "enable.metrics.push", false);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", a[0]))) {
            if (!admin.listTopics().names().get().contains(a[1])) {
                admin.createTopics(java.util.List.of(new NewTopic(a[1], 1, (short) 1))).all().get();
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            byte[] value = new byte[1024];
            while (true) {
                new java.util.Random().nextBytes(value);
                producer.send(new ProducerRecord<>(a[1], "reference".getBytes(), value));
                producer.flush();
                Thread.sleep(Long.parseLong(a[2]) * 1000);
            }
        }
    }
}
JAVA
cat >"$work/Idle.java" <<'JAVA'
public class Idle {
    public static void main(String[] a) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
JAVA
# Run from a copy, so that a rebuild of the module during the run cannot swap classes under the agent.
mkdir -p "$work/lib"
cp "$jar" "$work/nodepulse-agent.jar"
cp "$lib"/*.jar "$work/lib/"
jar=$work/nodepulse-agent.jar
lib=$work/lib
javac -d "$work" -cp "$lib/*" "$work/Reference.java" "$work/Idle.java"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if port_free "$p"; then echo "$p"; return; fi
  done
  echo "no free port from $1" >&2; exit 1
}
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)," \
  "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "java: $("$java_bin" -version 2>&1 | head -1); node_exporter: $("$node_exporter" --version 2>&1 | head -1)"
echo "agent flags: @agent/jvm.options; warm-up ${warmup}s, then one sample every 10 s for ${minutes} min"
printf '%-9s %-14s %8s %8s %8s %8s %8s %8s %7s\n' interval process "rss-min" "rss-med" "rss-max" "hwm" "anon" "file" events

for interval in $intervals; do
  secs=${interval%s}
  aport=$(pick_port 19180)
  nport=$(pick_port $((aport + 1)))
  env -i PATH="$PATH" NODE_NAME="bench-memory-$secs" KAFKA_BOOTSTRAP_SERVERS="$NODEPULSE_KAFKA_BOOTSTRAP" \
    NODEPULSE_TOPIC_PREFIX=bench.memory. NODEPULSE_CREATE_TOPICS=true NODEPULSE_SPOOL_DIR="$work/spool-$secs" \
    NODEPULSE_INTERVAL="$interval" NODEPULSE_HTTP_HOST=127.0.0.1 NODEPULSE_HTTP_PORT="$aport" \
    NODEPULSE_HOST_PROC=/proc NODEPULSE_HOST_SYS=/sys NODEPULSE_HOST_ROOT=/ \
    "$java_bin" "@$ROOT/agent/jvm.options" -cp "$jar:$lib/*" io.nodepulse.agent.Main 2>"$work/agent-$secs.log" &
  apid=$!
  pids+=("$apid")
  "$node_exporter" --web.listen-address="127.0.0.1:$nport" >"$work/ne-$secs.log" 2>&1 &
  npid=$!
  pids+=("$npid")
  "$java_bin" "@$ROOT/agent/jvm.options" -cp "$work" Idle 2>"$work/idle-$secs.log" &
  ipid=$!
  pids+=("$ipid")
  "$java_bin" "@$ROOT/agent/jvm.options" -cp "$work:$lib/*" Reference "$NODEPULSE_KAFKA_BOOTSTRAP" \
    bench.memory.reference "$secs" 2>"$work/producer-$secs.log" &
  ppid=$!
  pids+=("$ppid")
  ( while kill -0 "$npid" 2>/dev/null; do
      curl -s -m 10 -o /dev/null "http://127.0.0.1:$nport/metrics" || true
      sleep "$secs"
    done ) &
  pids+=("$!")
  sleep "$warmup"
  kill -0 "$apid" 2>/dev/null || { echo "the agent exited; log:" >&2; cat "$work/agent-$secs.log" >&2; exit 1; }
  kill -0 "$ppid" 2>/dev/null || { echo "the reference producer exited; log:" >&2; cat "$work/producer-$secs.log" >&2; exit 1; }
  for f in a n i p; do : >"$work/$f.rss"; done
  for ((i = 0; i < minutes * 6; i++)); do
    kb "$apid" VmRSS >>"$work/a.rss"
    kb "$npid" VmRSS >>"$work/n.rss"
    kb "$ipid" VmRSS >>"$work/i.rss"
    kb "$ppid" VmRSS >>"$work/p.rss"
    sleep 10
  done
  sent=$(curl -s -m 10 "http://127.0.0.1:$aport/metrics" | awk '$1 == "nodepulse_agent_events_sent_total" {print $2}')
  for who in agent node_exporter idle-jvm producer-jvm; do
    case $who in
      agent) p=$apid; f=$work/a.rss; ev=${sent:-?} ;;
      node_exporter) p=$npid; f=$work/n.rss; ev=- ;;
      idle-jvm) p=$ipid; f=$work/i.rss; ev=- ;;
      producer-jvm) p=$ppid; f=$work/p.rss; ev=- ;;
    esac
    printf '%-9s %-14s %8s %8s %8s %8s %8s %8s %7s\n' "$interval" "$who" \
      "$(mib "$(sort -n "$f" | head -1)")" "$(mib "$(median <"$f")")" "$(mib "$(sort -n "$f" | tail -1)")" \
      "$(mib "$(kb "$p" VmHWM)")" "$(mib "$(kb "$p" RssAnon)")" "$(mib "$(kb "$p" RssFile)")" "$ev"
  done
  ratio() { awk -v a="$(median <"$work/$1.rss")" -v n="$(median <"$work/$2.rss")" 'BEGIN {printf "%.2f", a/n}'; }
  echo "$interval median RSS ratios: agent/node_exporter $(ratio a n), agent/producer-jvm $(ratio a p)," \
    "producer-jvm/idle-jvm $(ratio p i)"
  kill -TERM "$apid"
  wait "$apid" 2>/dev/null || true
  for p in "$npid" "$ipid" "$ppid"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
done
echo "figures in MiB; anon/file = RssAnon/RssFile at the end; events = events Kafka acknowledged"
