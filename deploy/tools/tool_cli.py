"""The command line every generator in deploy/tools/ shares: write its files, or with --check only say
which are out of date (exit 1), as the deployment tests do."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def run(description: str, outputs: Callable[[], dict[Path, str]], tool: str) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="fail when a generated file is out of date")
    args = parser.parse_args()
    written = outputs()
    stale = [path for path, text in written.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path} is out of date: run deploy/tools/{tool}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(written[path])
    return 0
