"""Service images: one recipe (deploy/Dockerfile) for every service, a pinned base, locked dependencies,
non-root, a healthcheck on the service's own port, the service's own command and settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from deploy_helpers import DEPLOY, ROOT, SERVICES

DOCKERFILE = DEPLOY / "Dockerfile"
PYTHON_BASE = re.compile(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?")


def stages() -> dict[str, tuple[str, list[str]]]:
    """Each stage by name: the image or stage it starts from and its instructions (continuations joined)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    found: dict[str, tuple[str, list[str]]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if match := re.match(r"FROM (\S+) AS (\S+)$", line):
            current = []
            found[match.group(2)] = (match.group(1), current)
        elif line and not line.startswith("#"):
            assert found, f"an instruction before the first stage: {line}"
            current.append(line)
    return found


def instructions(stage: str, keyword: str) -> list[str]:
    """The arguments of one kind of instruction in a stage and the stages it builds on, first to last."""
    base, lines = stages()[stage]
    inherited = instructions(base, keyword) if base in stages() else []
    return inherited + [line.split(" ", 1)[1] for line in lines if line.split(" ", 1)[0] == keyword]


def environment(stage: str) -> dict[str, str]:
    pairs = " ".join(instructions(stage, "ENV")).split()
    return dict(pair.split("=", 1) for pair in pairs)


def test_no_service_keeps_a_recipe_of_its_own():
    assert sorted(ROOT.glob("services/*/Dockerfile")) == []
    assert sorted(ROOT.glob("services/*/*/Dockerfile")) == []


def test_every_image_starts_from_an_exactly_pinned_slim_python():
    images = [base for base, _ in stages().values() if base not in stages()]
    assert len(images) >= 2, "multi-stage: a build stage and a runtime stage"
    for image in images:
        assert PYTHON_BASE.fullmatch(image), image


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_final_stage_on_the_shared_runtime(service):
    assert stages()[service][0] == "runtime"
    assert f'RUN test "$WITAJ_SERVICE" = {service}' in stages()[service][1], "refuses another service's build"


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_runs_as_a_non_root_user(service):
    users = instructions(service, "USER")
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_dependencies_come_from_the_lock_with_the_pinned_uv():
    build = " ".join(stages()["build"][1])
    uv_version = re.search(r"^UV_VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert f"uv=={uv_version}" in build
    assert 'uv sync --frozen --no-dev --no-editable --package "witaj-${SERVICE}"' in build
    assert "ARG SERVICE" in stages()["runtime"][1], "the runtime learns which service it holds"
    assert "COPY --from=build /app/.venv /app/.venv" in stages()["runtime"][1]


@pytest.mark.parametrize("service", SERVICES)
def test_the_command_is_the_service_console_script(service):
    project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())
    command = [json.loads(cmd) for cmd in instructions(service, "CMD")]
    assert command == [[f"witaj-{service}"]]
    assert command[0][0] in project["project"]["scripts"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_serves_production_on_its_exposed_port(service):
    env = environment(service)
    prefix = f"WITAJ_{service.upper()}_SERVICE__"
    assert env[prefix + "ENVIRONMENT"] == "production"
    assert env[prefix + "HOST"] == "0.0.0.0"
    assert env[prefix + "LOG_FORMAT"] == "json"
    assert instructions(service, "EXPOSE") == [env[prefix + "PORT"]]
    assert env["WITAJ_SERVICE"] == "${SERVICE}"
    assert not [
        name
        for name in env
        if name.startswith("WITAJ_")
        and not name.startswith(f"WITAJ_{service.upper()}_")
        and name != "WITAJ_SERVICE"
    ]


def test_the_stats_image_also_holds_the_processor():
    project = tomllib.loads((ROOT / "services" / "stats" / "pyproject.toml").read_text())
    assert "witaj-stats-processor" in project["project"]["scripts"]


class _Health(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("service", ["content", "web"])
def test_the_one_healthcheck_asks_each_service_on_its_own_port(service):
    """The check derives the port setting's name from the service, so it finds each service's port."""
    healthcheck = instructions(service, "HEALTHCHECK")
    assert len(healthcheck) == 1
    command = json.loads(healthcheck[0].split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            "PATH": os.environ["PATH"],
            "WITAJ_SERVICE": service,
            f"WITAJ_{service.upper()}_SERVICE__PORT": str(server.server_address[1]),
        }
        _Health.asked.clear()
        assert (
            subprocess.run([sys.executable, "-c", command[2]], env=env, capture_output=True).returncode == 0
        )
        assert _Health.asked == ["/health"]
    finally:
        server.shutdown()
        server.server_close()


def test_compose_builds_every_image_from_the_one_recipe():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    built = {name: s["build"] for name, s in compose["services"].items() if "build" in s}
    assert set(built) == {*SERVICES, "stats-processor"}
    for name, build in built.items():
        assert build["context"] == "."
        assert build["dockerfile"] == "deploy/Dockerfile"
        assert build["target"] == build["args"]["SERVICE"] == ("stats" if name == "stats-processor" else name)
        assert compose["services"][name]["image"].startswith(f"witaj/{build['target']}:")


def test_kubernetes_runs_the_images_compose_builds():
    images = set()
    for manifest in (DEPLOY / "k8s").rglob("*.yaml"):
        for document in yaml.safe_load_all(manifest.read_text()):
            for container in _containers(document):
                if container["image"].startswith("witaj/"):
                    images.add(container["image"].split(":")[0])
    assert images == {f"witaj/{service}" for service in SERVICES}


def _containers(document: object) -> list[dict]:
    if not isinstance(document, dict):
        return []
    spec = document.get("spec", {}).get("template", {}).get("spec", {})
    return [*spec.get("containers", []), *spec.get("initContainers", [])]


def test_the_build_context_leaves_out_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".tools", "tests"} <= set(ignored)
