#!/bin/sh
# docker-compose's kafka-init step: every topic and its dead-letter twin (create-topics.sh), then every
# user and its ACLs (create-users.sh), logged in as Kafka's admin user.
set -eu
umask 077
HERE="$(dirname "$0")"
export COMMAND_CONFIG="${COMMAND_CONFIG:-/tmp/witaj-admin.properties}"
sh "$HERE/admin-properties.sh" > "$COMMAND_CONFIG"
sh "$HERE/create-topics.sh"
sh "$HERE/create-users.sh"
