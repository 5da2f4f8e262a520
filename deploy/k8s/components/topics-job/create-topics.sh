#!/bin/bash
# Creates nodepulse's topics where they are missing, with the partitions and configs that
# io.nodepulse.topic.Topics and TopicAdmin give them (a test compares the two). Existing topics are left
# as they are. Runs kafka-topics.sh from the apache/kafka image.
#
# Settings (environment):
#   BOOTSTRAP_SERVERS      Kafka bootstrap servers (required)
#   TOPIC_PREFIX           topic name prefix (default nodepulse.; the same as NODEPULSE_TOPIC_PREFIX)
#   PARTITIONS             partitions of the data topics (schemas and dlq always have 1)
#   REPLICATION_FACTOR     replicas of every topic
#   MIN_INSYNC_REPLICAS    min.insync.replicas of every topic
#   KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*   client properties (KAFKA_SASL_MECHANISM becomes
#                          sasl.mechanism); X_FILE reads X from a file, as in the applications
#   KAFKA_BIN              directory of kafka-topics.sh (default /opt/kafka/bin)
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required: the Kafka bootstrap servers}"
TOPIC_PREFIX=${TOPIC_PREFIX-nodepulse.}
PARTITIONS=${PARTITIONS:-6}
REPLICATION_FACTOR=${REPLICATION_FACTOR:-3}
MIN_INSYNC_REPLICAS=${MIN_INSYNC_REPLICAS:-2}
KAFKA_BIN=${KAFKA_BIN:-/opt/kafka/bin}

# Client properties from KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_*, into a file only this
# process can read (it may hold the JAAS config).
umask 077
client_config=$(mktemp)
trap 'rm -f "$client_config"' EXIT
for name in $(compgen -e); do
  case $name in
    KAFKA_SECURITY_PROTOCOL | KAFKA_SASL_* | KAFKA_SSL_*) ;;
    *) continue ;;
  esac
  if [[ $name == *_FILE ]]; then
    var=${name%_FILE}
    value=$(cat -- "${!name}") || { echo "cannot read $name=${!name}" >&2; exit 2; }
  else
    var=$name
    value=${!name}
  fi
  prop=$(printf '%s' "${var#KAFKA_}" | tr 'A-Z_' 'a-z.')
  # Properties-file escaping: backslashes first, then line breaks.
  value=${value//\\/\\\\}
  value=${value//$'\n'/\\n}
  printf '%s=%s\n' "$prop" "$value" >>"$client_config"
done

existing=$("$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$client_config" --list)

# topic NAME PARTITIONS CONFIG...    PARTITIONS is "data" (PARTITIONS) or a number
topic() {
  local name=$TOPIC_PREFIX$1 partitions=$2
  shift 2
  [[ $partitions == data ]] && partitions=$PARTITIONS
  if grep -qxF -- "$name" <<<"$existing"; then
    echo "exists:  $name"
    return
  fi
  local args=()
  for c in "$@" "min.insync.replicas=$MIN_INSYNC_REPLICAS"; do args+=(--config "$c"); done
  "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$client_config" \
    --create --if-not-exists --topic "$name" --partitions "$partitions" \
    --replication-factor "$REPLICATION_FACTOR" "${args[@]}"
  echo "created: $name ($partitions partitions, $REPLICATION_FACTOR replicas)"
}

topic metrics       data cleanup.policy=delete  retention.ms=259200000
topic metrics.valid data cleanup.policy=delete  retention.ms=259200000
topic rollup.1m     data cleanup.policy=delete  retention.ms=604800000
topic rollup.1h     data cleanup.policy=delete  retention.ms=604800000
topic node-status   data cleanup.policy=compact min.cleanable.dirty.ratio=0.1
topic alerts        data cleanup.policy=delete  retention.ms=2592000000
topic late          data cleanup.policy=delete  retention.ms=604800000
topic dlq           1    cleanup.policy=delete  retention.ms=1209600000
topic schemas       1    cleanup.policy=compact
