"""Service images: pinned base, locked dependencies, non-root, a healthcheck, the right entry point."""

from __future__ import annotations

import re
import tomllib

import pytest
from deploy_helpers import ROOT, SERVICES


def dockerfile(service: str) -> str:
    return (ROOT / "services" / service / "Dockerfile").read_text()


@pytest.mark.parametrize("service", SERVICES)
def test_every_stage_starts_from_an_exactly_pinned_slim_python(service):
    bases = re.findall(r"^FROM (\S+)", dockerfile(service), re.M)
    assert len(bases) >= 2, "multi-stage: a build stage and a runtime stage"
    for base in bases:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base), base


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_runs_as_a_non_root_user(service):
    users = re.findall(r"^USER (\S+)", dockerfile(service), re.M)
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_checks_health_on_its_port(service):
    text = dockerfile(service)
    assert re.search(r"^HEALTHCHECK .*\n?.*/health", text, re.M)
    assert f"WITAJ_{service.upper()}_SERVICE__PORT" in text.split("HEALTHCHECK", 1)[1]


@pytest.mark.parametrize("service", SERVICES)
def test_dependencies_come_from_the_lock_with_the_pinned_uv(service):
    text = dockerfile(service)
    uv_version = re.search(r"^UV_VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert f"uv=={uv_version}" in text
    assert f"uv sync --frozen --no-dev --no-editable --package witaj-{service}" in text


@pytest.mark.parametrize("service", SERVICES)
def test_the_command_is_the_service_console_script(service):
    project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())
    command = re.findall(r'^CMD \["([^"]+)"\]', dockerfile(service), re.M)
    assert command == [f"witaj-{service}"]
    assert command[0] in project["project"]["scripts"]


def test_the_stats_image_also_holds_the_processor():
    project = tomllib.loads((ROOT / "services" / "stats" / "pyproject.toml").read_text())
    assert "witaj-stats-processor" in project["project"]["scripts"]


def test_images_differ_only_by_the_service_name():
    """One recipe for all: a fix in one Dockerfile must reach the others."""

    def neutral(service: str) -> str:
        lines = [line for line in dockerfile(service).splitlines() if "processor" not in line]
        return "\n".join(lines).replace(service.upper(), "X").replace(service, "x")

    assert len({neutral(s) for s in SERVICES}) == 1


def test_the_build_context_leaves_out_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".tools", "tests"} <= set(ignored)
