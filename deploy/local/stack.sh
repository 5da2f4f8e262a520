#!/usr/bin/env bash
# Local nodepulse stack on loopback, no Docker:
#   Apache Kafka (one KRaft node, broker+controller) from Maven Central jars,
#   PostgreSQL 17 + TimescaleDB (Debian 13 packages; on Debian 12 inside a trixie chroot).
# Usage: stack.sh {up|down|status|env|psql|kafka-run|help}; 'COMMAND --help' prints the help.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/local/progress.sh
. "$SCRIPT_DIR/progress.sh"
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

NP_HOME=${NODEPULSE_HOME:-$REPO_DIR/.nodepulse}
case $NP_HOME in /*) ;; *) NP_HOME=$PWD/$NP_HOME ;; esac
NP_HOME=${NP_HOME%/}

KAFKA_PORT=${NODEPULSE_KAFKA_PORT:-29092}
CTRL_PORT=${NODEPULSE_KAFKA_CONTROLLER_PORT:-29093}
PG_PORT=${NODEPULSE_PG_PORT:-25432}
TRIXIE_ROOT=${NODEPULSE_TRIXIE_ROOT:-/var/cache/nodepulse/trixie-root}
TRIXIE_ROOT=${TRIXIE_ROOT%/}
KAFKA_HEAP=${NODEPULSE_KAFKA_HEAP:-"-Xms256m -Xmx768m"}
KAFKA_START_TIMEOUT=${NODEPULSE_KAFKA_START_TIMEOUT:-120}
PG_START_TIMEOUT=${NODEPULSE_PG_START_TIMEOUT:-120}

KAFKA_VERSION=4.4.0
PG_MAJOR=17
PG_PACKAGES=(postgresql-17 postgresql-17-timescaledb kustomize)
HOST=127.0.0.1
DB_NAME=nodepulse
PG_ADMIN=postgres
DB_OWNER=nodepulse_owner
DB_WRITER=nodepulse_writer
DB_READER=nodepulse_reader

BROKER_POM=$SCRIPT_DIR/broker/pom.xml
KAFKA_DIR=$NP_HOME/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_CONF_DIR=$KAFKA_DIR/config
KAFKA_CONF=$KAFKA_CONF_DIR/server.properties
KAFKA_DATA=$KAFKA_DIR/data
PG_DIR=$NP_HOME/pg
LOG_DIR=$NP_HOME/logs
RUN_DIR=$NP_HOME/run
SECRETS_DIR=$NP_HOME/secrets
BIN_DIR=$NP_HOME/bin
KAFKA_LOG=$LOG_DIR/kafka.log
KAFKA_OUT=$LOG_DIR/kafka.out
PG_LOG=$LOG_DIR/postgresql.log
KAFKA_PID_FILE=$RUN_DIR/kafka.pid
PG_PID_FILE=$RUN_DIR/postgres.pid
PG_MOUNT_FILE=$RUN_DIR/pg.mount

# --- output helpers -----------------------------------------------------------

say() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
# die MESSAGE [LOGFILE [HINT]]
die() {
  printf '[stack] ERROR: %s\n' "$1" >&2
  if [[ -n ${2:-} ]]; then
    if [[ -s $2 ]]; then
      printf '[stack] last lines of %s:\n' "$2" >&2
      tail -n 25 "$2" | sed 's/^/    /' >&2
    else
      printf '[stack] log: %s (empty or missing)\n' "$2" >&2
    fi
  fi
  [[ -n ${3:-} ]] && printf '[stack] what to do: %s\n' "$3" >&2
  exit 1
}

valid_port() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }
valid_port "$KAFKA_PORT" || die "NODEPULSE_KAFKA_PORT='$KAFKA_PORT' is not a TCP port number"
valid_port "$CTRL_PORT" || die "NODEPULSE_KAFKA_CONTROLLER_PORT='$CTRL_PORT' is not a TCP port number"
valid_port "$PG_PORT" || die "NODEPULSE_PG_PORT='$PG_PORT' is not a TCP port number"
[[ $KAFKA_PORT != "$CTRL_PORT" && $KAFKA_PORT != "$PG_PORT" && $CTRL_PORT != "$PG_PORT" ]] \
  || die "the three ports must differ (kafka $KAFKA_PORT, controller $CTRL_PORT, postgres $PG_PORT)"

# --- platform -----------------------------------------------------------------

debian_major() {
  local v=""
  [[ -r /etc/debian_version ]] && v=$(cat /etc/debian_version)
  case $v in
    12* | bookworm*) echo 12 ;;
    13* | trixie*) echo 13 ;;
    *) echo "${v%%.*}" ;;
  esac
}

# native: Debian 13 packages on the host; chroot: a trixie root (Debian 12).
pg_mode() {
  if [[ -n ${NODEPULSE_PG_MODE:-} ]]; then
    echo "$NODEPULSE_PG_MODE"
    return
  fi
  case $(debian_major) in
    13) echo native ;;
    *) echo chroot ;;
  esac
}
PG_MODE=$(pg_mode)
[[ $PG_MODE == native || $PG_MODE == chroot ]] || die "NODEPULSE_PG_MODE must be native or chroot, not '$PG_MODE'"

# postgres sees the stack's pg/ dir through a bind mount at a short path it can reach: the clone may sit
# under /root (mode 0700) or deep enough to overflow a Unix socket path (107 bytes)
MOUNT_ID=$(printf '%s' "$NP_HOME" | sha1sum | cut -c1-12)
PG_IN=/var/lib/nodepulse/$MOUNT_ID
if [[ $PG_MODE == chroot ]]; then
  PG_MOUNTPOINT=$TRIXIE_ROOT$PG_IN
else
  PG_MOUNTPOINT=$PG_IN
fi
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin

need_root() {
  [[ $(id -u) -eq 0 ]] || die "'$1' must run as root (it installs packages, mounts and uses chroot)"
}

APT_UPDATED=0
apt_install() {
  if ((APT_UPDATED == 0)); then
    say "apt-get update…"
    apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || warn "apt-get update reported errors (see $LOG_DIR/apt.log); trying the install anyway"
    APT_UPDATED=1
  fi
  say "apt-get install $*…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install $* failed" "$LOG_DIR/apt.log" "check the apt sources and network, then run 'stack.sh up' again"
}

# --- generic process helpers --------------------------------------------------

# pid_alive PID : the process exists and is not a zombie (init may reap late)
pid_alive() {
  local st
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# proc_matches PID WORD... : PID is alive and its command line contains every WORD
proc_matches() {
  local pid=$1 cmd
  shift
  pid_alive "$pid" || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  local w
  for w in "$@"; do [[ $cmd == *"$w"* ]] || return 1; done
  return 0
}

port_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]] && return 0
  fi
  port_answers "$1"
}

port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 || true
}

# check_port PORT VAR : fail when something that is not ours listens on PORT
check_port_free() {
  if port_in_use "$1"; then
    local who
    who=$(port_owner "$1")
    die "port $1 on this machine is already in use by something that is not this stack${who:+ ($who)}" "" \
      "stop that program, or pick another port with $2=<port> (for every stack.sh command)"
  fi
}

# stop_pid PID NAME SIGNAL TIMEOUT : send SIGNAL, wait, then SIGKILL
stop_pid() {
  local pid=$1 name=$2 sig=$3 timeout=$4 i
  kill -s "$sig" "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 5; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  warn "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
  kill -s KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  return 1
}

new_password() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# ensure_secret NAME : create secrets/NAME.password once (0600)
ensure_secret() {
  local f=$SECRETS_DIR/$1.password
  if [[ ! -s $f ]]; then
    (umask 077 && new_password >"$f.tmp" && mv "$f.tmp" "$f")
  fi
  chmod 0600 "$f"
}

make_dirs() {
  mkdir -p "$NP_HOME" "$KAFKA_DIR" "$KAFKA_CONF_DIR" "$KAFKA_DATA" "$PG_DIR" "$LOG_DIR" "$RUN_DIR" "$BIN_DIR"
  (umask 077 && mkdir -p "$SECRETS_DIR")
  chmod 0700 "$SECRETS_DIR"
}

# --- Java / Maven ---------------------------------------------------------------

ensure_java_maven() {
  # javac and jlink, not only java: maven alone brings a JRE
  if ! command -v javac >/dev/null 2>&1 || ! command -v jlink >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    apt_install default-jdk-headless maven
  fi
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
  if ! [[ ${v%%.*} =~ ^[0-9]+$ ]] || ((${v%%.*} < 17)); then
    die "Kafka $KAFKA_VERSION needs Java 17 or newer; 'java' is version '${v:-unknown}'" "" \
      "put a Java 17+ 'java' first on PATH"
  fi
}

# --- Kafka ----------------------------------------------------------------------

kafka_pid() {
  local pid
  [[ -s $KAFKA_PID_FILE ]] || return 1
  pid=$(cat "$KAFKA_PID_FILE")
  proc_matches "$pid" kafka.Kafka "$KAFKA_CONF" || return 1
  echo "$pid"
}

ensure_kafka_libs() {
  local stamp pid
  stamp="kafka $KAFKA_VERSION pom $(sha1sum <"$BROKER_POM" | cut -c1-40)"
  if [[ -f $KAFKA_LIBS/.stamp && $(cat "$KAFKA_LIBS/.stamp") == "$stamp" ]]; then
    return 0
  fi
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central (mvn dependency:copy-dependencies)…"
  local t0=$SECONDS tmp=$KAFKA_DIR/libs.tmp
  rm -rf "$tmp"
  with_progress "fetching the Kafka jars" to_log "$LOG_DIR/mvn-broker.log" mvn -q -B -Dstyle.color=never \
    -f "$BROKER_POM" dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime \
    || die "Maven could not fetch the Kafka jars" "$LOG_DIR/mvn-broker.log" \
      "check network access to Maven Central and $BROKER_POM, then run 'stack.sh up' again"
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 \
    || die "kafka_2.13-$KAFKA_VERSION.jar is missing after the Maven copy" "$LOG_DIR/mvn-broker.log"
  printf '%s\n' "$stamp" >"$tmp/.stamp"
  if diff -rq -x .stamp "$tmp" "$KAFKA_LIBS" >/dev/null 2>&1; then
    # Same jars as before (the POM changed elsewhere): keep libs/, record the new POM.
    cp "$tmp/.stamp" "$KAFKA_LIBS/.stamp"
    rm -rf "$tmp"
    return 0
  fi
  # A running broker still loads classes from libs/: replace them only when it is stopped.
  if pid=$(kafka_pid); then
    rm -rf "$tmp"
    warn "the Kafka jars changed; the running Kafka (pid $pid) keeps the old ones until 'stack.sh down' and 'up'"
    return 0
  fi
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  say "Kafka jars ready in $KAFKA_LIBS ($((SECONDS - t0))s)"
}

write_kafka_config() {
  cat >"$KAFKA_CONF.tmp" <<EOF
# Generated by deploy/local/stack.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CTRL_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CTRL_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
EOF
  mv "$KAFKA_CONF.tmp" "$KAFKA_CONF"

  cat >"$KAFKA_CONF_DIR/log4j2.properties" <<'EOF'
# Broker logging: one rolling file in the stack's logs/ dir.
status = warn
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/kafka.log
appender.file.filePattern = ${sys:kafka.logs.dir}/kafka.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 5
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF

  cat >"$KAFKA_CONF_DIR/tools-log4j2.properties" <<'EOF'
# Kafka command-line tools: warnings and errors to stderr.
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

# kafka_java CLASS ARGS... : run a class from the Kafka libs with the tools logging
kafka_java() {
  java -Xmx512m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

format_kafka_storage() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local cid
  if [[ ! -s $KAFKA_DIR/cluster.id ]]; then
    kafka_java kafka.tools.StorageTool random-uuid >"$KAFKA_DIR/cluster.id.tmp" 2>"$LOG_DIR/kafka-format.log" \
      || die "kafka-storage random-uuid failed" "$LOG_DIR/kafka-format.log"
    mv "$KAFKA_DIR/cluster.id.tmp" "$KAFKA_DIR/cluster.id"
  fi
  cid=$(tr -d ' \n' <"$KAFKA_DIR/cluster.id")
  say "formatting Kafka storage (cluster id $cid)…"
  kafka_java kafka.tools.StorageTool format --config "$KAFKA_CONF" --cluster-id "$cid" \
    >>"$LOG_DIR/kafka-format.log" 2>&1 \
    || die "kafka-storage format failed" "$LOG_DIR/kafka-format.log" \
      "if $KAFKA_DATA holds data from another cluster, remove it (data loss) and run 'stack.sh up' again"
}

KAFKA_STARTED=0
start_kafka() {
  local pid
  if pid=$(kafka_pid); then
    say "kafka: already running (pid $pid)"
    port_answers "$KAFKA_PORT" || warn "kafka pid $pid runs but $HOST:$KAFKA_PORT does not answer (started with other ports? run 'stack.sh down' then 'up')"
    return 0
  fi
  rm -f "$KAFKA_PID_FILE"
  check_port_free "$KAFKA_PORT" NODEPULSE_KAFKA_PORT
  check_port_free "$CTRL_PORT" NODEPULSE_KAFKA_CONTROLLER_PORT
  write_kafka_config
  format_kafka_storage
  say "starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (controller $HOST:$CTRL_PORT)…"
  # shellcheck disable=SC2086 # KAFKA_HEAP holds several JVM options
  (
    cd "$KAFKA_DIR"
    exec setsid nohup java $KAFKA_HEAP -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/log4j2.properties" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONF"
  ) >>"$KAFKA_OUT" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$KAFKA_PID_FILE"
  KAFKA_STARTED=1
}

# Ready = the broker port answers and a topic listing through it succeeds.
wait_kafka() {
  local pid deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  pid=$(cat "$KAFKA_PID_FILE")
  while :; do
    if ! pid_alive "$pid"; then
      rm -f "$KAFKA_PID_FILE"
      [[ -s $KAFKA_OUT ]] && tail -n 15 "$KAFKA_OUT" | sed 's/^/    /' >&2
      die "Kafka exited during startup" "$KAFKA_LOG" "fix the error above; JVM output is in $KAFKA_OUT"
    fi
    if port_answers "$KAFKA_PORT" && timeout 30 java -Xmx256m -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/tools-log4j2.properties" -cp "$KAFKA_LIBS/*" \
      org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$KAFKA_PORT" --list \
      >"$LOG_DIR/kafka-check.log" 2>&1; then
      break
    fi
    ((SECONDS < deadline)) || die "Kafka did not answer within ${KAFKA_START_TIMEOUT}s (pid $pid still running)" "$KAFKA_LOG" \
      "look at the log and $LOG_DIR/kafka-check.log; 'stack.sh down' stops it; NODEPULSE_KAFKA_START_TIMEOUT raises the limit"
    sleep 0.5
  done
  say "kafka: running (pid $pid), answers on $HOST:$KAFKA_PORT"
}

stop_kafka() {
  local pid
  if pid=$(kafka_pid); then
    say "stopping Kafka (pid $pid)…"
    stop_pid "$pid" kafka TERM 60 || warn "could not stop Kafka pid $pid"
  else
    say "kafka: not running"
  fi
  rm -f "$KAFKA_PID_FILE"
}

# --- trixie root (Debian 12) ----------------------------------------------------

debian_mirror() {
  if [[ -n ${NODEPULSE_DEBIAN_MIRROR:-} ]]; then
    echo "$NODEPULSE_DEBIAN_MIRROR"
    return
  fi
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v '^[[:space:]]*#' | grep -oE '(https?|file)://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)
  echo "${m:-http://deb.debian.org/debian}"
}

root_has_packages() {
  local p
  for p in "${PG_PACKAGES[@]}"; do
    # shellcheck disable=SC2016 # dpkg-query format, not shell
    chroot "$TRIXIE_ROOT" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

# Device nodes postgres and apt need; debootstrap normally creates them.
root_devices() {
  local root=$1 spec name maj min
  for spec in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9; do
    IFS=: read -r name maj min <<<"$spec"
    if [[ ! -c $root/dev/$name ]]; then
      rm -f "$root/dev/$name"
      mknod -m 0666 "$root/dev/$name" c "$maj" "$min" || die "cannot create $root/dev/$name (mknod)"
    fi
  done
}

# Settings for a root we own: no service starts from package scripts, no default cluster.
root_settle() {
  local root=$1
  printf '#!/bin/sh\n# no daemons from package scripts in this root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.d/nodepulse.conf"
  if [[ -d $root/etc/postgresql/$PG_MAJOR/main ]]; then
    chroot "$root" pg_dropcluster "$PG_MAJOR" main >/dev/null 2>&1 || true
  fi
  mkdir -p "$root/var/lib/nodepulse"
  chmod 0755 "$root/var/lib/nodepulse"
}

# root_apt ROOT ARGS... : apt-get inside the root, with /proc mounted in a private namespace
root_apt() {
  local root=$1
  shift
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # shellcheck disable=SC2016 # expanded by the inner sh
  unshare --mount --propagation private -- sh -c 'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' \
    sh "$root" "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    apt-get "$@"
}

ensure_trixie_root() {
  local parent lockf
  parent=$(dirname "$TRIXIE_ROOT")
  mkdir -p "$parent"
  lockf=$parent/.$(basename "$TRIXIE_ROOT").lock
  exec 8>"$lockf"
  if ! flock -n 8; then
    say "waiting for another stack.sh using $TRIXIE_ROOT (lock $lockf)…"
    flock -w 900 8 || die "timed out waiting for another build of $TRIXIE_ROOT (lock $lockf)"
  fi

  if [[ ! -f $TRIXIE_ROOT/.nodepulse-root ]]; then
    if [[ -e $TRIXIE_ROOT ]]; then
      die "$TRIXIE_ROOT exists but has no .nodepulse-root marker; it was not built by this script" "" \
        "remove it or set NODEPULSE_TRIXIE_ROOT to another path"
    fi
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    local mirror tmp t0=$SECONDS old
    mirror=$(debian_mirror)
    tmp=$parent/.$(basename "$TRIXIE_ROOT").tmp.$$
    # Leftovers of an interrupted build: unmount what debootstrap mounted, then remove.
    for old in "$parent"/."$(basename "$TRIXIE_ROOT")".tmp.*; do
      [[ -d $old ]] || continue
      awk -v p="$old/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
      rm -rf --one-file-system "$old"
    done
    say "building the trixie root in $TRIXIE_ROOT from $mirror (about a minute, once)…"
    local pkgs
    pkgs=$(
      IFS=,
      echo "${PG_PACKAGES[*]}"
    )
    if ! with_progress "building the Debian trixie root" to_log "$LOG_DIR/debootstrap.log" \
      debootstrap --variant=minbase --include="$pkgs" trixie "$tmp" "$mirror"; then
      awk -v p="$tmp/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
      die "debootstrap of Debian trixie failed" "$LOG_DIR/debootstrap.log" \
        "check network access to $mirror (NODEPULSE_DEBIAN_MIRROR overrides it), then run 'stack.sh up' again"
    fi
    root_devices "$tmp"
    root_settle "$tmp"
    printf '%s\n' "${PG_PACKAGES[@]}" >"$tmp/.nodepulse-root"
    mv "$tmp" "$TRIXIE_ROOT"
    say "trixie root ready ($((SECONDS - t0))s)"
  fi

  if ! root_has_packages; then
    say "adding missing packages to $TRIXIE_ROOT (${PG_PACKAGES[*]})…"
    root_devices "$TRIXIE_ROOT"
    {
      root_apt "$TRIXIE_ROOT" update -q && root_apt "$TRIXIE_ROOT" install -y -q --no-install-recommends "${PG_PACKAGES[@]}"
    } >>"$LOG_DIR/apt.log" 2>&1 \
      || die "installing ${PG_PACKAGES[*]} in $TRIXIE_ROOT failed" "$LOG_DIR/apt.log"
    root_settle "$TRIXIE_ROOT"
    printf '%s\n' "${PG_PACKAGES[@]}" >"$TRIXIE_ROOT/.nodepulse-root"
  fi
  root_devices "$TRIXIE_ROOT"
  exec 8>&-
}

ensure_native_pg() {
  local p missing=()
  for p in "${PG_PACKAGES[@]}"; do
    # shellcheck disable=SC2016 # dpkg-query format, not shell
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  local had_main=0
  [[ -d /etc/postgresql/$PG_MAJOR/main ]] && had_main=1
  # no default cluster on 5432 during this install (its start could fail the package's install where 5432 is
  # taken); the setting is removed afterwards, so later installs on this host behave as usual
  local nocluster=/etc/postgresql-common/createcluster.d/nodepulse-install.conf
  mkdir -p /etc/postgresql-common/createcluster.d
  printf 'create_main_cluster = false\n' >"$nocluster"
  (apt_install "${missing[@]}") || { rm -f "$nocluster"; exit 1; }
  APT_UPDATED=1
  rm -f "$nocluster"
  # The package creates and starts a default cluster on 5432; this stack runs its own.
  if ((had_main == 0)) && [[ -d /etc/postgresql/$PG_MAJOR/main ]]; then
    say "removing the default $PG_MAJOR/main cluster the package just created (this stack runs its own)"
    pg_dropcluster --stop "$PG_MAJOR" main >>"$LOG_DIR/apt.log" 2>&1 || warn "pg_dropcluster $PG_MAJOR main failed (see $LOG_DIR/apt.log)"
  fi
}

# --- PostgreSQL -------------------------------------------------------------------

pg_ids() {
  local passwd=/etc/passwd
  [[ $PG_MODE == chroot ]] && passwd=$TRIXIE_ROOT/etc/passwd
  PG_UID=$(awk -F: '$1=="postgres" {print $3}' "$passwd")
  PG_GID=$(awk -F: '$1=="postgres" {print $4}' "$passwd")
  [[ -n $PG_UID && -n $PG_GID ]] || die "no 'postgres' user in $passwd (is postgresql-$PG_MAJOR installed?)"
}

# pg_run CMD ARGS... : run a PostgreSQL program as the postgres user (in the root on Debian 12)
pg_run() {
  local envs=(env -i "PATH=$PG_BIN:/usr/bin:/bin" LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=/var/lib/postgresql)
  if [[ $PG_MODE == chroot ]]; then
    chroot --userspec="$PG_UID:$PG_GID" --groups="$PG_GID" "$TRIXIE_ROOT" "${envs[@]}" "$@"
  else
    (cd / && runuser -u postgres -- "${envs[@]}" "$@")
  fi
}

pg_mounted() { [[ -n $PG_MOUNTPOINT ]] && mountpoint -q "$PG_MOUNTPOINT" 2>/dev/null; }

mount_pg_dir() {
  pg_mounted && return 0
  mkdir -p "$PG_MOUNTPOINT"
  mount --bind "$PG_DIR" "$PG_MOUNTPOINT" || die "cannot bind-mount $PG_DIR at $PG_MOUNTPOINT"
  printf '%s\n' "$PG_MOUNTPOINT" >"$PG_MOUNT_FILE"
}

umount_pg_dir() {
  local mp i
  for mp in "$PG_MOUNTPOINT" $(cat "$PG_MOUNT_FILE" 2>/dev/null || true); do
    [[ -n $mp ]] || continue
    if mountpoint -q "$mp" 2>/dev/null; then
      for ((i = 0; i < 25; i++)); do
        umount "$mp" 2>/dev/null && break
        sleep 0.4
      done
      if mountpoint -q "$mp" 2>/dev/null; then
        warn "$mp is busy; detaching it lazily"
        umount -l "$mp" || warn "could not unmount $mp"
      fi
      say "unmounted $mp"
    fi
    rmdir "$mp" 2>/dev/null || true
  done
  rm -f "$PG_MOUNT_FILE"
}

# postmaster pid from our pid file, or from postmaster.pid when ours is missing
pg_pid() {
  local pid="" f
  for f in "$PG_PID_FILE" "$PG_DIR/data/postmaster.pid"; do
    [[ -s $f ]] || continue
    pid=$(head -n1 "$f")
    if proc_matches "$pid" postgres "$PG_IN/data"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

write_pg_config() {
  local sock dsm
  sock=$PG_IN/run
  dsm=posix
  # /dev/shm is not mounted in the chroot; dynamic shared memory then uses files in the data dir.
  [[ $PG_MODE == chroot ]] && dsm=mmap
  cat >"$PG_DIR/data/nodepulse.conf.tmp" <<EOF
# Generated by deploy/local/stack.sh; rewritten on every start.
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = 200
shared_buffers = 1GB
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
timescaledb.max_background_workers = 8
max_worker_processes = 16
dynamic_shared_memory_type = $dsm
password_encryption = scram-sha-256

# durability stays on: the pipeline promises exactly-once delivery
fsync = on
synchronous_commit = on
full_page_writes = on

# WAL and checkpoints sized for ingest benchmarks
wal_compression = lz4
max_wal_size = 4GB
min_wal_size = 1GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9

effective_cache_size = 4GB
work_mem = 16MB
maintenance_work_mem = 256MB
random_page_cost = 1.1

logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_checkpoints = on
log_lock_waits = on
log_temp_files = 10MB
EOF
  mv "$PG_DIR/data/nodepulse.conf.tmp" "$PG_DIR/data/nodepulse.conf"
  chown "$PG_UID:$PG_GID" "$PG_DIR/data/nodepulse.conf"
  grep -q "^include = 'nodepulse.conf'" "$PG_DIR/data/postgresql.conf" \
    || printf "\n# stack settings\ninclude = 'nodepulse.conf'\n" >>"$PG_DIR/data/postgresql.conf"
}

init_pg_cluster() {
  [[ -f $PG_DIR/data/PG_VERSION ]] && return 0
  local pw=$PG_DIR/.initdb-pw
  say "initdb (PostgreSQL $PG_MAJOR, UTF8, C.UTF-8)…"
  rm -rf "$PG_DIR/data"
  install -m 0600 -o "$PG_UID" -g "$PG_GID" "$SECRETS_DIR/$PG_ADMIN.password" "$pw"
  if ! pg_run initdb -D "$PG_IN/data" -U "$PG_ADMIN" --pwfile="$PG_IN/.initdb-pw" \
    --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    >"$LOG_DIR/initdb.log" 2>&1; then
    rm -f "$pw"
    die "initdb failed" "$LOG_DIR/initdb.log"
  fi
  rm -f "$pw"
}

start_pg() {
  local pid
  if pid=$(pg_pid); then
    say "postgres: already running (pid $pid)"
    echo "$pid" >"$PG_PID_FILE"
    port_answers "$PG_PORT" || warn "postgres pid $pid runs but $HOST:$PG_PORT does not answer (started with another port? run 'stack.sh down' then 'up')"
    return 0
  fi
  rm -f "$PG_PID_FILE"
  check_port_free "$PG_PORT" NODEPULSE_PG_PORT
  pg_ids
  chown "$PG_UID:$PG_GID" "$PG_DIR"
  chmod 0700 "$PG_DIR"
  if [[ -d $PG_DIR/data && $(stat -c %u "$PG_DIR/data") != "$PG_UID" ]]; then
    # made under the other mode (Debian 12's root, then a Debian 13 host): its postgres has another uid
    say "handing $PG_DIR to this postgres user (uid $PG_UID)"
    chown -R "$PG_UID:$PG_GID" "$PG_DIR"
  fi
  mount_pg_dir
  if ! pg_run test -w "$PG_IN"; then
    die "the postgres user cannot write $PG_IN (the bind mount of $PG_DIR)" "" \
      "check that /var/lib/nodepulse is searchable by 'postgres' (chmod 755) and $PG_DIR is owned by it"
  fi
  mkdir -p "$PG_DIR/run"
  chown "$PG_UID:$PG_GID" "$PG_DIR/run"
  init_pg_cluster
  write_pg_config
  # After a kill -9 the old server processes exit by themselves; wait for them.
  wait_pg_leftovers 20 || die "old postgres processes still use $PG_DIR/data: $(pg_leftovers | tr '\n' ' ')" "" \
    "stop them (kill PID), then run 'stack.sh up' again"
  # With no server process left, lock files naming a dead pid, a zombie (which postgres counts
  # as alive) or a pid reused by another program are stale.
  local f old
  for f in "$PG_DIR/data/postmaster.pid" "$PG_DIR/run/.s.PGSQL.$PG_PORT.lock"; do
    [[ -f $f ]] || continue
    old=$(head -n1 "$f")
    if ! proc_matches "$old" postgres "$PG_IN/data"; then
      say "removing stale $(basename "$f") (pid $old is not running)"
      rm -f "$f"
    fi
  done
  say "starting PostgreSQL $PG_MAJOR on $HOST:$PG_PORT…"
  # The host shell opens the log, so postgres needs no write access to logs/;
  # pg_ctl puts the server in its own session.
  pg_run pg_ctl -D "$PG_IN/data" -w -t "$PG_START_TIMEOUT" start >>"$PG_LOG" 2>&1 </dev/null 8>&- 9>&- \
    || die "PostgreSQL did not start" "$PG_LOG" "fix the error above, then run 'stack.sh up' again"
  head -n1 "$PG_DIR/data/postmaster.pid" >"$PG_PID_FILE"
}

# pids of processes whose working dir is our data dir (postmaster and its children)
pg_leftovers() {
  local want p
  want=$(readlink -f "$PG_DIR/data" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/cwd" 2>/dev/null) == "$want" || ( -n $PG_MOUNTPOINT && $(readlink "$p/cwd" 2>/dev/null) == "$PG_MOUNTPOINT/data" ) ]] \
      && echo "${p#/proc/}"
  done
  return 0
}

wait_pg_leftovers() {
  local i left
  for ((i = 0; i < $1 * 5; i++)); do
    left=$(pg_leftovers)
    [[ -z $left ]] && return 0
    sleep 0.2
  done
  return 1
}

stop_pg() {
  local pid
  if pid=$(pg_pid); then
    say "stopping PostgreSQL (pid $pid, fast shutdown)…"
    # SIGINT = fast shutdown (SIGTERM would wait for every client to disconnect).
    stop_pid "$pid" postgres INT 90 || warn "could not stop postgres pid $pid"
  else
    say "postgres: not running"
  fi
  wait_pg_leftovers 20 || warn "postgres processes still use the data dir: $(pg_leftovers | tr '\n' ' ')"
  rm -f "$PG_PID_FILE"
  umount_pg_dir
}

# psql_cmd : the psql to use: PostgreSQL 17's on the host, else the host's psql, else the root's
psql_cmd() {
  if [[ -x $PG_BIN/psql ]]; then
    echo "$PG_BIN/psql"
  elif command -v psql >/dev/null 2>&1 && psql --version >/dev/null 2>&1; then
    command -v psql
  elif [[ -x $TRIXIE_ROOT$PG_BIN/psql ]]; then
    echo "chroot $TRIXIE_ROOT $PG_BIN/psql"
  else
    return 1
  fi
}

# admin_psql ARGS... : psql as the superuser over TCP, password from its file
admin_psql() {
  local cmd
  cmd=$(psql_cmd) || die "no psql found (neither on the host nor in $TRIXIE_ROOT)" "" "run 'stack.sh up' first"
  [[ -r $SECRETS_DIR/$PG_ADMIN.password ]] || die "cannot read $SECRETS_DIR/$PG_ADMIN.password (run as root after 'stack.sh up')"
  # shellcheck disable=SC2086 # cmd may be "chroot ROOT psql"
  PGPASSWORD=$(cat "$SECRETS_DIR/$PG_ADMIN.password") PGCONNECT_TIMEOUT=10 \
    $cmd -X -h "$HOST" -p "$PG_PORT" -U "$PG_ADMIN" "$@"
}

# Roles, database and extension, over the local socket as the postgres OS user (peer auth), so
# the password files are the source of truth for every role, the superuser included.
setup_pg_roles() {
  local out
  pg_ids
  out=$(
    {
      printf '\\set ON_ERROR_STOP 1\n'
      printf "\\\\set admin_pw '%s'\n" "$(cat "$SECRETS_DIR/$PG_ADMIN.password")"
      printf "\\\\set owner_pw '%s'\n" "$(cat "$SECRETS_DIR/$DB_OWNER.password")"
      printf "\\\\set writer_pw '%s'\n" "$(cat "$SECRETS_DIR/$DB_WRITER.password")"
      printf "\\\\set reader_pw '%s'\n" "$(cat "$SECRETS_DIR/$DB_READER.password")"
      cat <<EOF
SET client_min_messages = warning;
SET log_min_error_statement = panic;
SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['$DB_OWNER', '$DB_WRITER', '$DB_READER']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \\gexec
ALTER ROLE $PG_ADMIN PASSWORD :'admin_pw';
ALTER ROLE $DB_OWNER LOGIN PASSWORD :'owner_pw';
ALTER ROLE $DB_WRITER LOGIN PASSWORD :'writer_pw';
ALTER ROLE $DB_READER LOGIN PASSWORD :'reader_pw';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_OWNER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \\gexec
\\connect $DB_NAME
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS timescaledb;
EOF
    } | pg_run psql -X -q -h "$PG_IN/run" -p "$PG_PORT" -U "$PG_ADMIN" -d postgres 2>&1
  ) || {
    printf '%s\n' "$out" >"$LOG_DIR/pg-setup.log"
    die "creating roles, database or the timescaledb extension failed" "$LOG_DIR/pg-setup.log"
  }
  local ver lic
  ver=$(admin_psql -d "$DB_NAME" -tAc "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'") \
    || die "cannot query the timescaledb extension version"
  lic=$(admin_psql -d "$DB_NAME" -tAc "SHOW timescaledb.license") || die "cannot read timescaledb.license"
  [[ -n $ver ]] || die "timescaledb extension is missing in database $DB_NAME"
  say "postgres: timescaledb $ver (license: $lic) in database $DB_NAME"
}

# --- wrappers in bin/ --------------------------------------------------------------

write_wrappers() {
  local psql
  psql=$(psql_cmd) || psql=psql
  if [[ $psql == chroot* ]]; then
    # Inside the root host paths are not visible: only stdin and -c work.
    cat >"$BIN_DIR/psql.tmp" <<EOF
#!/bin/sh
# psql from the trixie root; reads SQL from -c or stdin (host file paths are not visible in the root)
exec chroot '$TRIXIE_ROOT' $PG_BIN/psql "\$@"
EOF
  else
    printf '#!/bin/sh\nexec %s "$@"\n' "$psql" >"$BIN_DIR/psql.tmp"
  fi
  chmod 0755 "$BIN_DIR/psql.tmp"
  mv "$BIN_DIR/psql.tmp" "$BIN_DIR/psql"

  if [[ $PG_MODE == native ]]; then
    printf '#!/bin/sh\nexec kustomize "$@"\n' >"$BIN_DIR/kustomize.tmp"
  else
    {
      printf '#!/bin/bash\n# kustomize from the trixie root, run against host paths.\nroot=%q\n' "$TRIXIE_ROOT"
      cat <<'EOF'
# A private mount namespace shows the host's / at /run/host inside the root; it is gone when
# the command ends. The working dir and absolute arguments are mapped there.
set -euo pipefail
args=()
for a in "$@"; do
  case $a in
    /*) args+=("/run/host$a") ;;
    *) args+=("$a") ;;
  esac
done
exec unshare --mount --propagation private -- /bin/bash -c '
  set -e
  root=$1 cwd=$2
  shift 2
  mkdir -p "$root/run/host"
  mount --rbind / "$root/run/host"
  exec chroot "$root" /bin/sh -c "cd \"/run/host\$0\" && exec kustomize \"\$@\"" "$cwd" "$@"
' bash "$root" "$PWD" "${args[@]}"
EOF
    } >"$BIN_DIR/kustomize.tmp"
  fi
  chmod 0755 "$BIN_DIR/kustomize.tmp"
  mv "$BIN_DIR/kustomize.tmp" "$BIN_DIR/kustomize"
}

# --- commands -----------------------------------------------------------------------

print_settings() {
  cat <<EOF
[stack] connection settings
  stack dir          $NP_HOME
  kafka bootstrap    $HOST:$KAFKA_PORT   (controller $HOST:$CTRL_PORT, PLAINTEXT)
  jdbc url           jdbc:postgresql://$HOST:$PG_PORT/$DB_NAME
  postgres           host $HOST port $PG_PORT database $DB_NAME
  superuser          $(printf '%-17s' "$PG_ADMIN") password file $SECRETS_DIR/$PG_ADMIN.password
  owner role         $(printf '%-17s' "$DB_OWNER") password file $SECRETS_DIR/$DB_OWNER.password
  writer role        $(printf '%-17s' "$DB_WRITER") password file $SECRETS_DIR/$DB_WRITER.password
  reader role        $(printf '%-17s' "$DB_READER") password file $SECRETS_DIR/$DB_READER.password
  logs               $LOG_DIR
  postgres mode      $PG_MODE$([[ $PG_MODE == chroot ]] && echo " (root $TRIXIE_ROOT)")
  shell exports      eval "\$($SCRIPT_DIR/stack.sh env)"
EOF
}

cmd_env() {
  local kv
  for kv in \
    "NODEPULSE_HOME=$NP_HOME" \
    "NODEPULSE_KAFKA_BOOTSTRAP=$HOST:$KAFKA_PORT" \
    "NODEPULSE_JDBC_URL=jdbc:postgresql://$HOST:$PG_PORT/$DB_NAME" \
    "NODEPULSE_PG_HOST=$HOST" \
    "NODEPULSE_PG_PORT=$PG_PORT" \
    "NODEPULSE_PG_DATABASE=$DB_NAME" \
    "NODEPULSE_PG_ADMIN_USER=$PG_ADMIN" \
    "NODEPULSE_PG_ADMIN_PASSWORD_FILE=$SECRETS_DIR/$PG_ADMIN.password" \
    "NODEPULSE_DB_OWNER_USER=$DB_OWNER" \
    "NODEPULSE_DB_OWNER_PASSWORD_FILE=$SECRETS_DIR/$DB_OWNER.password" \
    "NODEPULSE_DB_WRITER_USER=$DB_WRITER" \
    "NODEPULSE_DB_WRITER_PASSWORD_FILE=$SECRETS_DIR/$DB_WRITER.password" \
    "NODEPULSE_DB_READER_USER=$DB_READER" \
    "NODEPULSE_DB_READER_PASSWORD_FILE=$SECRETS_DIR/$DB_READER.password" \
    "NODEPULSE_KUSTOMIZE=$BIN_DIR/kustomize" \
    "NODEPULSE_PSQL=$BIN_DIR/psql"; do
    printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
  done
}

# One stack.sh up/down at a time per stack dir (fd 9; daemons are started without it).
lock_stack() {
  exec 9>"$RUN_DIR/.lock"
  if ! flock -n 9; then
    say "waiting for another stack.sh on $NP_HOME (lock $RUN_DIR/.lock)…"
    flock -w 900 9 || die "another stack.sh still holds $RUN_DIR/.lock after 15 minutes"
  fi
}

cmd_up() {
  need_root up
  local t0=$SECONDS
  make_dirs
  lock_stack
  # Ports first, so a conflict stops before anything starts.
  if ! kafka_pid >/dev/null; then
    check_port_free "$KAFKA_PORT" NODEPULSE_KAFKA_PORT
    check_port_free "$CTRL_PORT" NODEPULSE_KAFKA_CONTROLLER_PORT
  fi
  pg_pid >/dev/null || check_port_free "$PG_PORT" NODEPULSE_PG_PORT
  ensure_secret "$PG_ADMIN"
  ensure_secret "$DB_OWNER"
  ensure_secret "$DB_WRITER"
  ensure_secret "$DB_READER"

  ensure_java_maven
  ensure_kafka_libs
  if [[ $PG_MODE == chroot ]]; then
    ensure_trixie_root
  else
    ensure_native_pg
  fi

  # Kafka boots in the background while PostgreSQL starts.
  start_kafka
  start_pg
  setup_pg_roles
  write_wrappers

  ((KAFKA_STARTED == 0)) || wait_kafka
  say "stack up ($((SECONDS - t0))s)"
  print_settings
}

cmd_down() {
  need_root down
  [[ -d $RUN_DIR ]] || {
    say "nothing to stop ($NP_HOME has no run dir)"
    return 0
  }
  lock_stack
  stop_kafka
  stop_pg
  say "stack down"
}

cmd_status() {
  local rc=0 pid
  if pid=$(kafka_pid); then
    if port_answers "$KAFKA_PORT"; then
      say "kafka:    running (pid $pid), $HOST:$KAFKA_PORT answers"
    else
      say "kafka:    running (pid $pid), but $HOST:$KAFKA_PORT does NOT answer"
      rc=1
    fi
  else
    say "kafka:    stopped"
    rc=1
  fi
  if pid=$(pg_pid); then
    if port_answers "$PG_PORT"; then
      say "postgres: running (pid $pid), $HOST:$PG_PORT answers"
    else
      say "postgres: running (pid $pid), but $HOST:$PG_PORT does NOT answer"
      rc=1
    fi
  else
    say "postgres: stopped"
    rc=1
  fi
  if [[ $PG_MODE == chroot ]]; then
    if pg_mounted; then say "mount:    $PG_MOUNTPOINT"; else say "mount:    none"; fi
  fi
  print_settings
  return $rc
}

cmd_help() {
  cat <<EOF
usage: $(basename "$0") COMMAND

  up          install what is missing, start Kafka $KAFKA_VERSION and PostgreSQL $PG_MAJOR + TimescaleDB
  down        stop both and undo mounts
  status      show both services; exit 1 if one is not running
  env         print shell exports (eval "\$($0 env)")
  psql ARGS   psql as the superuser on database $DB_NAME, e.g. psql -v ON_ERROR_STOP=1 -c 'select 1'
  kafka-run CLASS ARGS
              run a Kafka class from the stack's jars, e.g.
              kafka-run org.apache.kafka.tools.TopicCommand --bootstrap-server $HOST:$KAFKA_PORT --list
  help        this text

Environment: NODEPULSE_HOME (default <repo>/.nodepulse), NODEPULSE_KAFKA_PORT ($KAFKA_PORT),
NODEPULSE_KAFKA_CONTROLLER_PORT ($CTRL_PORT), NODEPULSE_PG_PORT ($PG_PORT),
NODEPULSE_TRIXIE_ROOT (/var/cache/nodepulse/trixie-root, Debian 12 only), NODEPULSE_KAFKA_HEAP.
EOF
}

# up, down, status and env take no arguments: --help/-h prints the help; anything else is a usage error
no_args() {
  local cmd=$1 a
  shift
  for a in "$@"; do
    if [[ $a == -h || $a == --help ]]; then
      cmd_help
      exit 0
    fi
  done
  if [[ $# -gt 0 ]]; then
    printf "[stack] ERROR: '%s' takes no arguments (got: %s); see '%s help'\n" "$cmd" "$*" "$(basename "$0")" >&2
    exit 2
  fi
}

main() {
  local cmd=${1:-help}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    up | down | status | env) no_args "$cmd" "$@" ;;
  esac
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    psql) admin_psql -d "$DB_NAME" "$@" ;;
    kafka-run)
      [[ $# -ge 1 ]] || die "usage: stack.sh kafka-run CLASS [ARGS...]"
      [[ -f $KAFKA_LIBS/.stamp ]] || die "no Kafka jars in $KAFKA_LIBS" "" "run 'stack.sh up' first"
      kafka_java "$@"
      ;;
    help | -h | --help) cmd_help ;;
    *)
      cmd_help >&2
      printf "[stack] ERROR: unknown command '%s'\n" "$cmd" >&2
      exit 2
      ;;
  esac
}

main "$@"
