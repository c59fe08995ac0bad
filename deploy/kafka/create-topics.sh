#!/bin/sh
# Create every Witaj topic and its dead-letter twin from topics.txt; safe to run again.
# Existing topics are left alone: raising partitions later is an operator's decision (it moves keys to
# other partitions, see deploy/README.md), never a side effect of a restart.
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
TOPICS_FILE="${TOPICS_FILE:-/witaj/topics.txt}"
PREFIX="${TOPIC_PREFIX:-}"
REPLICATION="${TOPIC_REPLICATION_FACTOR:-1}"
MIN_INSYNC="${TOPIC_MIN_INSYNC_REPLICAS:-1}"
DLQ_PARTITIONS="${DLQ_PARTITIONS:-1}"
KAFKA_TOPICS="${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
# the admin client's settings (SASL) when the broker asks who is calling (init.sh writes them)
COMMAND_CONFIG="${COMMAND_CONFIG:-}"

create() {  # name partitions cleanup-policy
    "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" ${COMMAND_CONFIG:+--command-config "$COMMAND_CONFIG"} \
        --create --if-not-exists \
        --topic "$1" --partitions "$2" --replication-factor "$REPLICATION" \
        --config "min.insync.replicas=$MIN_INSYNC" --config "cleanup.policy=$3"
}

count=0
while read -r name partitions flag rest; do
    case "$name" in '' | '#'*) continue ;; esac
    case "$partitions:$flag:$rest" in
        [1-9]*::) policy=delete ;;
        [1-9]*:compact:) policy=compact ;;
        *)
            echo "create-topics: bad line for '$name' (expected '<name> <partitions> [compact]')" >&2
            exit 2
            ;;
    esac
    create "$PREFIX$name" "$partitions" "$policy"
    create "$PREFIX$name.dlq" "$DLQ_PARTITIONS" delete
    count=$((count + 1))
done < "$TOPICS_FILE"

echo "create-topics: $count topics and their dead-letter twins are present"
