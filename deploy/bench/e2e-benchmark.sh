#!/usr/bin/env bash
# The end-to-end benchmark of BENCHMARKS.md ("End to end"), in one session on this machine:
#   1. the sink benchmark's text-COPY baseline (stream-processor SinkBenchmark, one repetition);
#   2. the whole pipeline (local stack Kafka and TimescaleDB, the packaged processor, the fleet simulator)
#      at each rate, reported against that baseline.
# Usage: deploy/bench/e2e-benchmark.sh [EndToEndBenchmark arguments, e.g. --rates 200,300,400 --aligned]
# Needs the local stack running and agent/target, stream-processor/target packaged
# (mvn -B -q install -pl agent,stream-processor -DskipTests -DskipITs).
set -euo pipefail
cd "$(dirname "$0")/../.."
eval "$(deploy/local/stack.sh env)"
for jar in agent/target/nodepulse-agent.jar stream-processor/target/nodepulse-stream-processor.jar; do
  [[ -f $jar ]] || { echo "missing $jar: run mvn -B -q install -pl agent,stream-processor -DskipTests -DskipITs" >&2; exit 2; }
done
mvn -B -q -pl stream-processor test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
mvn -B -q -pl deploy test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
out=$(mktemp -d)
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== sink benchmark: text COPY baseline"
java -cp "stream-processor/target/test-classes:stream-processor/target/classes:$(cat stream-processor/target/bench.classpath)" \
    io.nodepulse.processor.sink.SinkBenchmark 1000 20 1000 1 | tee "$out/sink.txt"
copy=$(awk -F'|' '$2 ~ /text COPY, rows only/ {gsub(/[ ,]/, "", $3); print $3}' "$out/sink.txt")
[[ -n $copy ]] || { echo "no text COPY figure in the sink benchmark's output" >&2; exit 1; }
echo "== end to end (text COPY baseline $copy rows/s)"
java -cp "deploy/target/test-classes:$(cat deploy/target/bench.classpath)" \
    io.nodepulse.deploy.e2e.EndToEndBenchmark --copy-baseline "$copy" "$@"
rm -rf "$out"
