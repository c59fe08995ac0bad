"""`python -m witaj.devkit.database ...`: the embedded development database (SecantusDB), started by its
own launcher with the same arguments, but with its TTL sweeper every 15 minutes instead of every minute.

The sweeper walks every document of a collection with a TTL index while holding the interpreter lock,
stalling the server in proportion to the documents, each minute (notify's deliveries carry such an
index; figures in `docs/benchmarks.md`). Invisible in tests, it stalled benchmarks at random. The launcher accepts
`[storage] ttl_sweep_seconds` in its config file but does not hand it to the server (0.7.0b3), hence
this wrapper. Production runs MongoDB, whose TTL monitor reads the index instead.
"""

from __future__ import annotations

import functools
import sys

from secantus import cli

TTL_SWEEP_SECONDS = 900.0


def main() -> int:
    cli.SecantusDBServer = functools.partial(  # type: ignore[misc]
        cli.SecantusDBServer, ttl_sweep_seconds=TTL_SWEEP_SECONDS
    )
    return cli.main() or 0


if __name__ == "__main__":
    sys.exit(main())
