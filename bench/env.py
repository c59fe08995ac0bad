"""What a benchmark gets: the embedded broker and database, and a sandbox per benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from witaj.devkit.sandbox import Sandbox


@dataclass(frozen=True)
class BenchEnv:
    kafka_bootstrap: str
    mongo_url: str
    dev_key_path: Path
    quick: bool = False
    """Smaller sizes, for a smoke run inside the test suite."""

    def sandbox(self) -> Sandbox:
        return Sandbox(self.kafka_bootstrap, self.mongo_url, self.dev_key_path, rate_limits=False)

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full
