"""Helpers of the deployment checks: paths, compose interpolation, importing the deploy tools."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
BROKER_SERVICES = ("content", "events", "notify", "stats", "ask")
"""The services on Kafka and MongoDB, with tokens from the identity provider."""
SERVICES = (*BROKER_SERVICES, "web")
"""Every image of Witaj's own: the five services and the web app (which talks to them over HTTP only)."""


def load_tool(name: str) -> ModuleType:
    """Import a script from deploy/tools/ (it is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    if str(DEPLOY / "tools") not in sys.path:
        sys.path.insert(0, str(DEPLOY / "tools"))  # as when run: the tools import each other
    spec = importlib.util.spec_from_file_location(name, DEPLOY / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::?[-?](?P<default>[^}]*))?\}")


def interpolate(value: str, defaults: dict[str, str] | None = None) -> str:
    """Resolve compose's ${VAR}, ${VAR:-default} and ${VAR:?error} the way an operator's .env would."""

    def resolve(match: re.Match[str]) -> str:
        name = match.group("name")
        if defaults and name in defaults:
            return defaults[name]
        if "?" in match.group(0):
            return f"example-{name.lower()}"
        return match.group("default") or ""

    return _INTERPOLATION.sub(resolve, value)
