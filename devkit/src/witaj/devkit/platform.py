"""`witaj-platform` (what `make run` starts): the whole of Witaj on one machine, no Docker needed.

Runs the Tansu broker, a SecantusDB server, the five services, the stats stream processor, the web app
on top of them and a watcher that seeds the demo cities (`witaj.devkit.demo`) and prints where to look
once everything is ready — all under honcho, which multiplexes their output and stops every process
cleanly on Ctrl-C. Each process runs under a supervisor (`witaj.devkit.supervisor`) that restarts it
with back-off when it dies, saying so, so one crash never takes the whole platform down. Each service
gets the same environment variables it reads in production, pointed at the embedded broker and database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from honcho.manager import Manager
from pydantic import SecretStr
from witaj.content.settings import ContentSettings
from witaj.devkit import supervisor
from witaj.devkit.demo.files import CITIES
from witaj.devkit.demo.seeding import seed_databases
from witaj.devkit.infra import broker_command, database_command, mongo_url
from witaj.events.settings import EventsSettings
from witaj.notify.settings import NotifySettings
from witaj.shared.devtokens import DevSigningKey
from witaj.shared.settings import MongoSettings

LANGUAGES = (
    "Polish, English, Ukrainian, Russian, Arabic, Chinese, Dari, Spanish, Dutch, German, Urdu and Italian"
)


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int
    description: str

    @property
    def env_prefix(self) -> str:
        return f"WITAJ_{self.name.upper()}_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class PlatformPlan:
    """Every process of a local platform and the settings each one gets."""

    kafka_port: int = 19092
    mongo_port: int = 27018
    ports: dict[str, int] = field(
        default_factory=lambda: {
            "web": 8000,
            "content": 8001,
            "events": 8002,
            "notify": 8003,
            "stats": 8004,
            "ask": 8005,
        }
    )
    state_dir: Path = Path(".witaj")

    @property
    def web(self) -> Service:
        """The web app, where a person starts: it reads the services' APIs and owns no data."""
        return Service("web", "witaj.web.main", self.ports["web"], "the migrant app: start here")

    @property
    def answering(self) -> list[Service]:
        """Everything with an HTTP address, the web app first."""
        return [self.web, *self.services]

    @property
    def services(self) -> list[Service]:
        """The backend services (each with its database and the broker)."""
        return [
            Service(
                "content",
                "witaj.content.main",
                self.ports["content"],
                "pages, procedures, glossary, directory, practices, search",
            ),
            Service(
                "events",
                "witaj.events.main",
                self.ports["events"],
                "events and courses, registration, iCalendar",
            ),
            Service(
                "notify", "witaj.notify.main", self.ports["notify"], "subscriptions, inbox, e-mail, webhooks"
            ),
            Service(
                "stats",
                "witaj.stats.main",
                self.ports["stats"],
                "usage and integration indicators, stat streams",
            ),
            Service("ask", "witaj.ask.main", self.ports["ask"], "migrants' questions, counsellors' answers"),
        ]

    @property
    def dev_key_path(self) -> Path:
        return self.state_dir / "dev-signing-key.pem"

    def service_env(self, prefix: str, port: int | None = None) -> dict[str, str]:
        """The production setting names, pointed at the embedded broker and database."""
        values = {
            "KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{self.kafka_port}",
            # The embedded broker cannot do idempotent producers; real Kafka turns both on. Producer
            # batches stay whole: the broker's in-memory storage costs per stored batch, growing with
            # the batches a partition holds (docs/benchmarks.md), and nothing in the platform reads
            # end offsets, which it reports wrongly after a batch of several records.
            "KAFKA__IDEMPOTENT_PRODUCER": "false",
            "KAFKA__EXACTLY_ONCE": "false",
            "KAFKA__TOPIC_PARTITIONS": "3",
            "MONGO__URL": mongo_url(self.mongo_port),
            "AUTH__DEV_KEY_PATH": str(self.dev_key_path.resolve()),
            "SERVICE__ENVIRONMENT": "development",
            "SERVICE__LOG_FORMAT": "console",
            # Calendar URLs and webhooks may point at servers on this machine (production refuses it).
            "OUTBOUND__ALLOW_LOOPBACK": "true",
        }
        if port is not None:
            values["SERVICE__PORT"] = str(port)
        return {prefix + name: value for name, value in values.items()}

    def seed_demo(self) -> Counter[str]:
        """Write the demo cities into the services' databases (once the services are ready: their
        relays publish what seeding writes)."""
        url = SecretStr(mongo_url(self.mongo_port))
        content, events, notify = (
            kind(mongo=MongoSettings(url=url)) for kind in (ContentSettings, EventsSettings, NotifySettings)
        )
        return asyncio.run(seed_databases(content, events, notify))  # type: ignore[arg-type]

    def processes(self) -> dict[str, list[str]]:
        python = sys.executable
        commands = {
            "kafka": broker_command(self.kafka_port),
            "mongodb": database_command(self.mongo_port, ":memory:"),
        }
        for service in self.answering:
            commands[service.name] = [python, "-m", service.module]
        commands["stats-processor"] = [python, "-m", "witaj.stats.processor"]
        commands["watch"] = [python, "-m", "witaj.devkit.platform", "--watch", *self.argv()]
        return commands

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for service in self.services:
            env.update(self.service_env(service.env_prefix, service.port))
        env.update(self.web_env())
        return env

    def web_env(self) -> dict[str, str]:
        """The web app's settings: where each service answers, its own database (back-office sessions),
        and the development sign-in (the development key, which the services trust here)."""
        values = {
            "SERVICE__PORT": str(self.web.port),
            "SERVICE__ENVIRONMENT": "development",
            "SERVICE__LOG_FORMAT": "console",
            **{f"{service.name.upper()}_URL": service.url for service in self.services},
            "MONGO__URL": mongo_url(self.mongo_port),
            "OFFICE__DEV_KEY_PATH": str(self.dev_key_path.resolve()),
        }
        return {self.web.env_prefix + name: value for name, value in values.items()}

    def argv(self) -> list[str]:
        return [
            f"--kafka-port={self.kafka_port}",
            f"--mongo-port={self.mongo_port}",
            *(f"--{name}-port={port}" for name, port in self.ports.items()),
            f"--state-dir={self.state_dir}",
        ]


def parse(argv: list[str] | None = None) -> tuple[PlatformPlan, bool]:
    parser = argparse.ArgumentParser(prog="witaj-platform", description=__doc__.splitlines()[0])
    defaults = PlatformPlan()
    parser.add_argument(
        "--kafka-port", type=int, default=int(os.environ.get("WITAJ_KAFKA_PORT", defaults.kafka_port))
    )
    parser.add_argument(
        "--mongo-port", type=int, default=int(os.environ.get("WITAJ_MONGO_PORT", defaults.mongo_port))
    )
    for name, port in defaults.ports.items():
        parser.add_argument(
            f"--{name}-port", type=int, default=int(os.environ.get(f"WITAJ_{name.upper()}_PORT", port))
        )
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("WITAJ_STATE_DIR", defaults.state_dir))
    )
    parser.add_argument("--watch", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    plan = PlatformPlan(
        kafka_port=args.kafka_port,
        mongo_port=args.mongo_port,
        ports={name: getattr(args, f"{name}_port") for name in defaults.ports},
        state_dir=args.state_dir,
    )
    return plan, args.watch


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ready", timeout=2) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(plan: PlatformPlan, timeout: float) -> set[str]:
    """Wait until every service is ready; the names of those that are not when time is up."""
    deadline = time.monotonic() + timeout
    pending = {s.name for s in plan.answering}
    while pending and time.monotonic() < deadline:
        pending = {s.name for s in plan.answering if s.name in pending and not is_ready(s.url)}
        if pending:
            time.sleep(0.5)
    return pending


def watch(plan: PlatformPlan, timeout: float = 180.0) -> None:
    """Wait until every service is ready, seed the demo, print where to look, then keep an eye on
    readiness."""
    pending = wait_ready(plan, timeout)
    if pending:
        print(
            f"not ready after {timeout:.0f}s: {', '.join(sorted(pending))} (see their output above)",
            flush=True,
        )
    else:
        written = plan.seed_demo()
        print(f"demo seeded ({', '.join(f'{n} {what}' for what, n in written.items()) or 'already there'})")
        print(banner(plan), flush=True)
    state = {s.name: True for s in plan.answering}
    while True:
        time.sleep(5)
        for service in plan.answering:
            ready = is_ready(service.url)
            if ready != state[service.name]:
                print(f"{service.name} is {'ready again' if ready else 'NOT ready'}", flush=True)
                state[service.name] = ready


def banner(plan: PlatformPlan) -> str:
    web = plan.web
    lines = [
        "",
        f"Witaj is running with the demo cities {' and '.join(repr(c) for c in CITIES)} in {LANGUAGES}.",
        "",
        f"  Start here: {web.url}   the migrant app ({web.url}/lublin/en for Lublin in English, "
        f"{web.url}/bologna/it for Bologna in Italian)",
        f"  Back office: {web.url}/office   (development sign-in: pick a role, city and organisation)",
        f"  Insights:    {web.url}/insights   (sign in as an analyst)   open data: {web.url}/open-data/lublin",
        "",
    ]
    for service in plan.services:
        lines.append(
            f"  {service.name:<8} {service.url:<24} API docs {service.url}/docs   ({service.description})"
        )
    lines += [
        "",
        f"  kafka    127.0.0.1:{plan.kafka_port}   mongodb {mongo_url(plan.mongo_port)}",
        "  health   /health (alive) and /ready (database and broker reachable) on every service;",
        "           the web app's /ready says whether the services it reads answer",
        "  token    make token ROLE=city_admin CITY=lublin   (development signing key in "
        f"{plan.dev_key_path})",
        "",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    plan, watching = parse(argv)
    if watching:
        watch(plan)
        return
    plan.state_dir.mkdir(parents=True, exist_ok=True)
    DevSigningKey.load_or_create(plan.dev_key_path)
    manager = Manager()
    env = plan.environment()
    for name, command in plan.processes().items():
        manager.add_process(name, shlex.join(supervisor.command(name, command)), env=env)
    manager.loop()
    sys.exit(manager.returncode or 0)


if __name__ == "__main__":
    main()
