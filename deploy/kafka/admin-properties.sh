#!/bin/sh
# Print the client settings of Kafka's admin user (SCRAM-SHA-512), for the broker's healthcheck and the
# init step's command-line tools. The password comes from KAFKA_ADMIN_PASSWORD.
set -eu
: "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is not set}"
cat <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$KAFKA_ADMIN_PASSWORD";
PROPERTIES
