"""`make run`: the whole platform starts on free ports, the web app and every service answer, Ctrl-C stops
it all."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import httpx
from witaj.devkit.infra import free_port
from witaj.devkit.testing import wait_until

SERVICES = ("content", "events", "notify", "stats", "ask")


def read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """Collect the platform's output until `marker` appears (or fail with what it printed)."""
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            continue
        if marker in seen[-1]:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} within {timeout}s; output:\n{''.join(seen[-80:])}")


def test_the_platform_starts_every_service_and_stops_cleanly(tmp_path) -> None:
    ports = {name: free_port() for name in (*SERVICES, "web")}
    argv = [
        sys.executable,
        "-m",
        "witaj.devkit.platform",
        f"--kafka-port={free_port()}",
        f"--mongo-port={free_port()}",
        f"--state-dir={tmp_path}",
        *(f"--{name}-port={port}" for name, port in ports.items()),
    ]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = read_until(process, "Press Ctrl-C to stop everything", timeout=120)
        web = f"http://127.0.0.1:{ports['web']}"
        # The web app is where a person starts: its address comes first, before every service's.
        printed = banner[banner.index("Witaj is running") :]
        assert printed[printed.index("http://") :].startswith(web) and "Start here" in printed
        assert httpx.get(f"{web}/health", timeout=5).json()["service"] == "web"
        home = httpx.get(f"{web}/lublin/en", timeout=10)
        assert home.status_code == 200 and "Welcome to Lublin" in home.text
        assert httpx.get(f"{web}/ready", timeout=5).json()["checks"]["content"] is True
        for name in SERVICES:
            port = ports[name]
            assert f"http://127.0.0.1:{port}/docs" in banner
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()["service"] == name
            ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
            assert ready.status_code == 200 and ready.json()["checks"] == {"mongodb": True, "kafka": True}
        assert "demo seeded (" in banner
        for city, name in (("lublin", "Lublin"), ("bologna", "Bologna")):
            content = f"http://127.0.0.1:{ports['content']}/cities/{city}"
            assert httpx.get(content, timeout=5).json()["name"] == name
            # The demo city reached the events service over the broker (it refuses cities it never heard
            # of), and its agenda is there.
            events = f"http://127.0.0.1:{ports['events']}/cities/{city}/events"
            asyncio.run(
                wait_until(
                    lambda events=events: httpx.get(events, timeout=5).json().get("total", 0) > 0,
                    timeout=30,
                    interval=0.2,
                    message="the events service to learn of the demo city",
                )
            )
        assert "stats-processor" in banner or "stats_processor" in banner

        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        assert process.returncode in (0, 130)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
