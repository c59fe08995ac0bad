"""The platform as separate OS processes that a test or benchmark can kill and restart one by one.

`make run` supervises everything under honcho, which (rightly, for a developer) stops the lot when one
process dies. Fault tests need the opposite: `kill -9` one service or the stats processor mid-load and
start it again while the rest keeps running. `LocalPlatform` gives that, using the same commands and
environment as `witaj-platform` (`PlatformPlan`), on free ports, with output in log files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from witaj.devkit.infra import LocalServer, embedded_infrastructure, free_port
from witaj.devkit.platform import PlatformPlan, is_ready
from witaj.shared.devtokens import DevSigningKey


class ManagedProcess:
    """One service process: start, kill (any signal), restart; output appended to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own commands, no shell
            self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.starts += 1

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class LocalPlatform:
    """Every service and the stats processor as separate processes on one embedded broker and database."""

    def __init__(
        self,
        plan: PlatformPlan,
        log_dir: Path,
        extra_env: dict[str, str] | None = None,
        servers: dict[str, LocalServer] | None = None,
    ) -> None:
        self.plan = plan
        self.servers = servers or {}
        """The broker and the database it runs on, when it started them (benchmarks watch their CPU)."""
        self.log_dir = log_dir
        env = plan.environment()
        env.update(extra_env or {})
        commands = plan.processes()
        self.processes = {
            name: ManagedProcess(name, argv, env, log_dir / f"{name}.log")
            for name, argv in commands.items()
            if name not in ("kafka", "mongodb", "watch")
        }

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.plan.ports[service]}"

    def start(self, timeout: float = 120.0) -> None:
        """Start everything and, once every service is ready, seed the demo as `make run` does."""
        for process in self.processes.values():
            process.start()
        for service in self.plan.ports:
            self.wait_ready(service, timeout)
        self.plan.seed_demo()

    def wait_ready(self, service: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not is_ready(self.url(service)):
            process = self.processes[service]
            if not process.alive or time.monotonic() > deadline:
                raise RuntimeError(f"{service} did not become ready; its last output:\n{process.tail()}")
            time.sleep(0.2)

    def restart(self, name: str, timeout: float = 60.0) -> None:
        """Start a killed process again (and wait for readiness if it is an HTTP service)."""
        self.processes[name].start()
        if name in self.plan.ports:
            self.wait_ready(name, timeout)

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()

    def process_groups(self) -> dict[str, int]:
        """Each running process's group (its own session), by name; the broker's and database's too."""
        groups = {name: p.process.pid for name, p in self.processes.items() if p.alive and p.process}
        groups.update({name: s.process.pid for name, s in self.servers.items() if s.process is not None})
        return groups


@contextmanager
def local_platform(
    extra_env: dict[str, str] | None = None, log_dir: Path | None = None
) -> Iterator[LocalPlatform]:
    """Broker, database and every process of the platform on free ports; all gone when the block ends."""
    with ExitStack() as stack:
        logs = log_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="witaj-platform-")))
        kafka, mongo = stack.enter_context(embedded_infrastructure(logs))
        plan = PlatformPlan(
            kafka_port=kafka.port,
            mongo_port=mongo.port,
            ports={name: free_port() for name in PlatformPlan().ports},
            state_dir=logs / "state",
        )
        plan.state_dir.mkdir(parents=True, exist_ok=True)
        DevSigningKey.load_or_create(plan.dev_key_path)
        platform = LocalPlatform(plan, logs, extra_env, servers={"kafka": kafka, "mongodb": mongo})
        stack.callback(platform.stop)
        platform.start()
        yield platform
