"""Keeps one process of `witaj-platform` (`make run`) going: restarts it with back-off when it dies.

honcho stops the whole platform as soon as any of its processes exits; that is right for a broken
start but wrong for a service that crashes after an hour: everything else would go down with it. So
each process honcho runs is this supervisor, which runs the real command, says when and why it ended,
and starts it again after a back-off (1 s, doubling up to 30 s, back to 1 s after a minute of running).

Stopping stays honcho's: on Ctrl-C it sends SIGTERM to each process group, which holds this supervisor
and its child; the child stops as it would under honcho alone, and the supervisor exits without
restarting it. (The broker and the database keep their data in memory: restarted, they start empty.)

    python -m witaj.devkit.supervisor --name content -- python -m witaj.content.main
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

STOP_GRACE = 20.0
"""Seconds a child may take to stop after the platform's signal before it is sent one itself (only a
child outside the supervisor's process group can miss the platform's)."""


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    longest: float = 30.0
    stable_after: float = 60.0
    """A run this long counts as healthy: the next restart waits `first` again."""

    def delay(self, restarts: int) -> float:
        return min(self.longest, self.first * 2 ** max(0, restarts - 1))


class Supervisor:
    def __init__(
        self,
        name: str,
        argv: list[str],
        backoff: Backoff = Backoff(),
        say: Callable[[str], None] = lambda line: print(line, flush=True),
    ) -> None:
        self.name = name
        self.argv = argv
        self.backoff = backoff
        self.say = say
        self.stopping = False
        self._stopped_at = 0.0
        self.child: subprocess.Popen[bytes] | None = None

    def stop(self, signum: int, _: FrameType | None = None) -> None:
        """The platform is stopping: the child got the same signal (same process group)."""
        if not self.stopping:
            self.stopping = True
            self._stopped_at = time.monotonic()

    def run(self) -> int:
        restarts = 0
        while True:
            started = time.monotonic()
            self.child = subprocess.Popen(self.argv)  # noqa: S603 - the platform's own commands
            self.say(f"running {self.name} as pid {self.child.pid}")
            code = self._wait_for_child()
            if self.stopping:
                return 0
            ran = time.monotonic() - started
            restarts = 1 if ran >= self.backoff.stable_after else restarts + 1
            delay = self.backoff.delay(restarts)
            self.say(
                f"{self.name} exited with code {code} after {ran:.1f}s; "
                f"restarting it in {delay:.0f}s (restart {restarts} in a row)"
            )
            if self._pause(delay):
                return 0

    def _wait_for_child(self) -> int:
        """The child's exit code; a child that outlives a stop by `STOP_GRACE` is told (then made) to."""
        assert self.child is not None
        while True:
            try:
                return self.child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if self.stopping:
                    late = time.monotonic() - self._stopped_at
                    if late > 2 * STOP_GRACE:
                        self.child.kill()
                    elif late > STOP_GRACE:
                        self.child.terminate()

    def _pause(self, seconds: float) -> bool:
        """Wait before a restart; True if the platform began stopping meanwhile."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return self.stopping


def command(name: str, argv: list[str]) -> list[str]:
    """`argv` as the platform runs it: under a supervisor named `name`."""
    return [sys.executable, "-m", "witaj.devkit.supervisor", "--name", name, "--", *argv]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="witaj-supervisor", description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    child = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not child:
        parser.error("give the command to run after --")
    supervisor = Supervisor(args.name, child)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()
