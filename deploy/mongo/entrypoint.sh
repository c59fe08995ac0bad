#!/bin/bash
# Start mongod as a replica set member with authentication. Members of an authenticated replica set
# prove themselves to each other with a shared key file, which mongod insists is private to it.
set -euo pipefail
: "${WITAJ_MONGO_KEYFILE:?set WITAJ_MONGO_KEYFILE (openssl rand -base64 -A 756)}"
printf '%s\n' "$WITAJ_MONGO_KEYFILE" > /etc/mongo-keyfile
chmod 400 /etc/mongo-keyfile
chown 999:999 /etc/mongo-keyfile
exec docker-entrypoint.sh mongod --replSet rs0 --bind_ip_all --keyFile /etc/mongo-keyfile
