"""Follow a city's Witaj stat streams with a plain Kafka client (aiokafka) and print each update.

    python services/stats/examples/subscribe.py --bootstrap 127.0.0.1:9092 --city lublin [--prefix ""]

Messages are JSON CloudEvents envelopes (`type`, `version`, `city`, `time`, `data`); see the service's
README for the `stats.rollup_updated` and `stats.indicator_updated` schemas. Counts are absolute and
already privacy-safe (suppressed cells have `count: null`), so a repeated message is harmless: keep the
latest per (metric, dimension, granularity, window_start, value).
"""

from __future__ import annotations

import argparse
import asyncio
import json

from aiokafka import AIOKafkaConsumer

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


async def follow(bootstrap: str, city: str | None, prefix: str, group: str | None) -> None:
    consumer = AIOKafkaConsumer(
        *(prefix + t for t in TOPICS),
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
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
    args = parser.parse_args()
    asyncio.run(follow(args.bootstrap, args.city, args.prefix, args.group))


if __name__ == "__main__":
    main()
