"""Follow a city's Witaj stat streams with a plain Kafka client (aiokafka) and print each update.

    python services/stats/examples/subscribe.py --bootstrap 127.0.0.1:9092 --city lublin [--prefix ""]

A deployment's brokers want you to log in: your organisation's Kafka user (SCRAM-SHA-512, over TLS)
and the certificate of the CA that signed the brokers' (both from the platform's operators), the
password in WITAJ_KAFKA_PASSWORD; your consumer groups must begin with your user name and a dot:

    WITAJ_KAFKA_PASSWORD=... python services/stats/examples/subscribe.py --bootstrap kafka.witaj.example:9094 \
        --user witaj-analyst-example --ca-file witaj-ca.crt --group witaj-analyst-example.dashboard

Messages are JSON CloudEvents envelopes (`type`, `version`, `city`, `time`, `data`); see the service's
README for the `stats.rollup_updated` and `stats.indicator_updated` schemas. Counts are absolute and
already privacy-safe (suppressed cells have `count: null`), so a repeated message is harmless: keep the
latest per (metric, dimension, granularity, window_start, value).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os

from aiokafka import AIOKafkaConsumer
from aiokafka.helpers import create_ssl_context

TOPICS = ("stats.rollups", "stats.indicators")
KNOWN_VERSIONS = {"stats.rollup_updated": 1, "stats.indicator_updated": 1}


def describe(message: dict) -> str:
    data = message["data"]
    if message["type"] == "stats.rollup_updated":
        cells = ", ".join(
            f"{c['value'] or 'total'}={'suppressed' if c['suppressed'] else c['count']}"
            for c in data["cells"]
        )
        return f"{message['city']} {data['metric']} by {data['dimension']} {data['granularity']} {data['window_start']}: {cells}"
    cells = ", ".join(
        f"{c['sex']}/{c['age_group']}/{c['citizenship']}={'suppressed' if c['suppressed'] else c['value']}"
        for c in data["cells"]
    )
    return f"{message['city']} {data['indicator']} {data['period']} ({data['unit']}): {cells}"


def login(user: str | None, ca_file: str | None) -> dict[str, object]:
    """Connection options: anonymous (a development broker), or your user over TLS."""
    if user is None:
        return {}
    return {
        "security_protocol": "SASL_SSL",
        "ssl_context": create_ssl_context(cafile=ca_file),
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": user,
        "sasl_plain_password": os.environ["WITAJ_KAFKA_PASSWORD"],
    }


async def follow(bootstrap: str, city: str | None, prefix: str, group: str | None, **options: object) -> None:
    consumer = AIOKafkaConsumer(
        *(prefix + t for t in TOPICS),
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        **options,  # type: ignore[arg-type]
    )
    await consumer.start()
    try:
        async for record in consumer:
            message = json.loads(record.value)
            if city and message.get("city") != city:
                continue
            if message.get("version", 0) > KNOWN_VERSIONS.get(message.get("type"), 0):
                print(f"skipping {message.get('type')} v{message.get('version')}: newer than this script")
                continue
            print(describe(message), flush=True)
    finally:
        await consumer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--city", default=None, help="Only this city (messages are keyed by city)")
    parser.add_argument("--prefix", default="", help="The deployment's topic prefix, if any")
    parser.add_argument("--group", default=None, help="Consumer group, to resume where you left off")
    parser.add_argument("--user", default=None, help="Your Kafka user (password in WITAJ_KAFKA_PASSWORD)")
    parser.add_argument("--ca-file", default=None, help="PEM certificate of the brokers' CA")
    args = parser.parse_args()
    options = login(args.user, args.ca_file)
    asyncio.run(follow(args.bootstrap, args.city, args.prefix, args.group, **options))


if __name__ == "__main__":
    main()
