"""`python -m witaj.devkit.database ...`: the embedded development database (SecantusDB), started by its
own launcher with the same arguments, but with its TTL sweeper every 15 minutes instead of every minute.

The sweeper walks every document of a collection with a TTL index while holding the interpreter lock,
stalling the server in proportion to the documents, each minute (notify's deliveries carry such an
index; figures in `docs/benchmarks.md`). Invisible in tests, it stalled benchmarks at random. The launcher accepts
`[storage] ttl_sweep_seconds` in its config file but does not hand it to the server (0.7.0b3), hence
this wrapper. Production runs MongoDB, whose TTL monitor reads the index instead.

`--client-idle-timeout SECONDS` (ours, not the launcher's) sets how long the server keeps a connection
that sends nothing (its default: 300 s); tests shorten it to show the services' pools outlive it.
"""

from __future__ import annotations

import argparse
import functools
import sys

from secantus import cli

TTL_SWEEP_SECONDS = 900.0


def main(argv: list[str] | None = None) -> int:
    ours = argparse.ArgumentParser(add_help=False)
    ours.add_argument("--client-idle-timeout", type=float, default=None)
    known, rest = ours.parse_known_args(sys.argv[1:] if argv is None else argv)
    options: dict[str, float] = {"ttl_sweep_seconds": TTL_SWEEP_SECONDS}
    if known.client_idle_timeout is not None:
        options["client_idle_timeout_s"] = known.client_idle_timeout
    cli.SecantusDBServer = functools.partial(cli.SecantusDBServer, **options)  # type: ignore[misc]
    return cli.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
