"""Fixtures of the deployment checks; the helpers live in deploy_helpers.py beside this file."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_helpers import ROOT, load_tool


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="session")
def settings_reference() -> ModuleType:
    return load_tool("settings_reference")


@pytest.fixture(scope="session")
def kafka_topics() -> ModuleType:
    return load_tool("kafka_topics")


@pytest.fixture(scope="session")
def kafka_access() -> ModuleType:
    return load_tool("kafka_access")
