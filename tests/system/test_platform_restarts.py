"""`make run` outlives a crash: a process that dies is restarted (and says so), the rest keeps running,
and Ctrl-C still stops everything."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
from witaj.devkit.infra import free_port
from witaj.devkit.platform import PlatformPlan
from witaj.devkit.testing import wait_until


class Output:
    """Everything the platform prints, collected as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.lines: list[str] = []
        self._incoming: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: [self._incoming.put(line) for line in process.stdout], daemon=True
        ).start()

    def wait_for(self, pattern: str, timeout: float, after: int = 0) -> re.Match[str]:
        """The first line from index `after` on that matches `pattern` (a regular expression)."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines[after:]:
                if found := re.search(pattern, line):
                    return found
            after = max(after, len(self.lines))
            if time.monotonic() > deadline or self.process.poll() is not None:
                tail = "".join(self.lines[-60:])
                raise AssertionError(f"no line matching {pattern!r} within {timeout}s; output:\n{tail}")
            try:
                self.lines.append(self._incoming.get(timeout=0.2))
            except queue.Empty:
                continue


def gone(pid: int) -> bool:
    """Whether the process ended (a zombie not yet reaped by init counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_service_that_dies_is_restarted_while_the_rest_keeps_running(tmp_path) -> None:
    plan = PlatformPlan(
        kafka_port=free_port(),
        mongo_port=free_port(),
        ports={name: free_port() for name in PlatformPlan().ports},
        state_dir=tmp_path,
    )
    ports = plan.ports
    process = subprocess.Popen(
        [sys.executable, "-m", "witaj.devkit.platform", *plan.argv()],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output = Output(process)
    try:
        output.wait_for("Press Ctrl-C to stop everything", timeout=180)
        first = output.wait_for(r"running events as pid (\d+)", timeout=5)
        os.kill(int(first[1]), signal.SIGKILL)

        mark = len(output.lines)
        output.wait_for(r"events exited with code -9 .*restarting it in \d+s", timeout=30, after=mark)
        again = output.wait_for(r"running events as pid (\d+)", timeout=30, after=mark)
        assert again[1] != first[1]
        asyncio.run(
            wait_until(lambda: ready(ports["events"]), timeout=90, interval=0.5, message="events ready again")
        )
        assert process.poll() is None, "the platform stopped"
        assert all(ready(port) for port in ports.values())

        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        assert process.returncode in (0, 130)
        asyncio.run(
            wait_until(lambda: gone(int(again[1])), timeout=10, message="the restarted service to stop too")
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
