#!/bin/sh
# Create every Kafka user named in acls.txt (SCRAM-SHA-512) and add its ACLs; safe to run again.
# A user's password comes from <USER>_KAFKA_PASSWORD (witaj-content: WITAJ_CONTENT_KAFKA_PASSWORD); a
# user without one gets its ACLs but cannot log in. ACLs removed from the list stay on the broker until
# removed by hand (kafka-acls.sh --remove): this step only adds.
set -eu

BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
ACLS_FILE="${ACLS_FILE:-/witaj/acls.txt}"
COMMAND_CONFIG="${COMMAND_CONFIG:?COMMAND_CONFIG (the admin client settings) is not set}"
KAFKA_CONFIGS="${KAFKA_CONFIGS:-/opt/kafka/bin/kafka-configs.sh}"
KAFKA_ACLS="${KAFKA_ACLS:-/opt/kafka/bin/kafka-acls.sh}"

users=$(awk '$1 !~ /^#/ && NF { print $1 }' "$ACLS_FILE" | sort -u)
for user in $users; do
    variable="$(printf '%s' "$user" | tr 'a-z-' 'A-Z_')_KAFKA_PASSWORD"
    eval "password=\${$variable:-}"
    if [ -z "$password" ]; then
        echo "create-users: $variable is not set, so $user cannot log in" >&2
        continue
    fi
    "$KAFKA_CONFIGS" --bootstrap-server "$BOOTSTRAP" --command-config "$COMMAND_CONFIG" --alter \
        --entity-type users --entity-name "$user" --add-config "SCRAM-SHA-512=[password=$password]"
done

count=0
while read -r user resource pattern operations names; do
    case "$user" in '' | '#'*) continue ;; esac
    case "$resource" in
        topic | group | transactional-id) flag="--$resource" ;;
        cluster) flag="" ;;
        *)
            echo "create-users: bad resource type '$resource' for $user" >&2
            exit 2
            ;;
    esac
    set -- --bootstrap-server "$BOOTSTRAP" --command-config "$COMMAND_CONFIG" --add --force \
        --allow-principal "User:$user" --resource-pattern-type "$pattern"
    for operation in $(printf '%s' "$operations" | tr ',' ' '); do
        set -- "$@" --operation "$operation"
    done
    if [ -n "$flag" ]; then
        for name in $names; do set -- "$@" "$flag" "$name"; done
    else
        set -- "$@" --cluster
    fi
    "$KAFKA_ACLS" "$@"
    count=$((count + 1))
done < "$ACLS_FILE"

echo "create-users: $count ACL lines added for $(echo "$users" | wc -w) users"
