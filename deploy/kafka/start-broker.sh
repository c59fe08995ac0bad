#!/bin/sh
# Start docker-compose's Kafka with authentication: server.properties plus the admin user's login line,
# storage formatted with the admin user's SCRAM credentials (KRaft keeps them in its metadata, so they
# must be there before the first start; later starts leave the formatted storage alone).
set -eu
umask 077
: "${CLUSTER_ID:?CLUSTER_ID is not set}"
: "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is not set}"
HERE="$(dirname "$0")"
TEMPLATE="${BROKER_TEMPLATE:-$HERE/server.properties}"
CONFIG="${BROKER_CONFIG:-/tmp/witaj-server.properties}"
ADMIN_CONFIG="${ADMIN_CONFIG:-/tmp/witaj-admin.properties}"
KAFKA_STORAGE="${KAFKA_STORAGE:-/opt/kafka/bin/kafka-storage.sh}"
KAFKA_SERVER_START="${KAFKA_SERVER_START:-/opt/kafka/bin/kafka-server-start.sh}"

cp "$TEMPLATE" "$CONFIG"
printf '%s\n' "listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$KAFKA_ADMIN_PASSWORD\";" >> "$CONFIG"
sh "$HERE/admin-properties.sh" > "$ADMIN_CONFIG"

"$KAFKA_STORAGE" format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$CONFIG" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]"
exec "$KAFKA_SERVER_START" "$CONFIG"
