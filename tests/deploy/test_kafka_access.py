"""Kafka users and ACLs: each part of Witaj may read exactly what its code consumes and write exactly what it
publishes, analysts read only the stat streams, and compose and Kubernetes grant the same."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import BROKER_SERVICES, DEPLOY, SERVICES, interpolate
from kafka_code import topic_use
from witaj.shared import topics as code_topics
from witaj.stats.processor import create_app
from witaj.stats.settings import StatsSettings

KAFKA = DEPLOY / "kafka"
PARTS = {f"witaj.{s}.main" for s in SERVICES} | {"witaj.stats.processor"}


@pytest.fixture(scope="module")
def users(kafka_access) -> dict[str, Any]:
    return kafka_access.read_access()


@pytest.fixture(scope="module")
def code_users(users) -> dict[str, Any]:
    return {u.code: u for u in users.values() if u.code}


def test_the_generated_acls_and_kafka_users_are_up_to_date(kafka_access):
    for path, text in kafka_access.outputs().items():
        assert path.read_text() == text, f"run deploy/tools/kafka_access.py ({path.name})"


def test_users_are_for_parts_of_witaj(code_users):
    assert set(code_users) <= PARTS


@pytest.mark.parametrize("part", sorted(PARTS))
def test_a_user_reads_and_writes_exactly_what_its_code_does(code_users, part):
    """A part that talks to Kafka has its own user, allowed exactly what its code does."""
    use = topic_use(part)
    if part not in code_users:
        assert not use.reads and not use.writes, f"{part} uses Kafka but has no user in access.yaml"
        return
    user = code_users[part]
    assert set(user.reads) == use.reads, "reads: the consumers' subscriptions"
    assert set(user.writes) == use.writes, "writes: outbox entries and publications"


def test_the_code_survey_sees_subscriptions_and_publications():
    """Guards the check above: a survey that found nothing would agree with an empty list."""
    content = topic_use("witaj.content.main")
    assert "witaj.content.cities" in content.modules and "witaj.shared.runtime" in content.modules
    assert code_topics.CITY_CONFIG in content.reads  # the runtime's city catalog
    assert code_topics.USAGE in content.writes  # a fire-and-forget page view
    assert code_topics.STATS_ROLLUPS in topic_use("witaj.stats.processor").writes  # the stat streams


def test_only_content_writes_city_configuration(users):
    writers = {name for name, u in users.items() if code_topics.CITY_CONFIG in u.writes}
    assert writers == {"witaj-content"}


def test_analysts_read_only_published_stat_streams_and_write_nothing(users):
    analysts = [u for u in users.values() if u.code is None]
    assert analysts
    for analyst in analysts:
        assert analyst.reads and all(t.startswith("stats.") for t in analyst.reads)
        assert code_topics.STATS_INDICATOR_DATASETS not in analyst.reads  # uploads, before suppression
        assert not analyst.writes and not analyst.dead_letter_topics
        assert not analyst.transactional_ids and not analyst.own_topics
        assert analyst.groups == f"{analyst.name}."


def _runtime_source(part: str) -> str:
    """The `source=` a service's composition root gives its Runtime (the start of its group names)."""
    module = importlib.import_module(part)
    tree = ast.parse(Path(module.__file__ or "").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Runtime":
            source = next(k.value for k in node.keywords if k.arg == "source")
            return str(eval(compile(ast.Expression(source), part, "eval"), vars(module)))
    raise AssertionError(f"{part} starts no Runtime")


@pytest.mark.parametrize("service", BROKER_SERVICES)
def test_consumer_groups_are_the_services_own(code_users, service):
    part = f"witaj.{service}.main"
    assert code_users[part].groups == _runtime_source(part) + "."


def test_the_processor_may_use_its_group_transactions_and_own_topics(code_users):
    app_id = create_app(StatsSettings()).conf.id
    processor = code_users["witaj.stats.processor"]
    assert processor.groups == processor.transactional_ids == app_id
    assert processor.own_topics == f"{app_id}-"


def granted(acl_lines: list[str]) -> dict[str, set[tuple[str, str, str, str]]]:
    """user -> {(resource, pattern, name, operation)} from acls.txt."""
    found: dict[str, set[tuple[str, str, str, str]]] = defaultdict(set)
    for line in acl_lines:
        if line.strip() and not line.startswith("#"):
            user, resource, pattern, operations, *names = line.split()
            found[user] |= {(resource, pattern, n, op) for n in names for op in operations.split(",")}
    return found


def test_acls_give_each_user_what_its_topics_need_and_nothing_else(users):
    acls = granted((KAFKA / "acls.txt").read_text().splitlines())
    for name, user in users.items():
        topics = {g for g in acls[name] if g[0] == "topic" and g[1] == "literal"}
        expected = {("topic", "literal", t, "Read") for t in user.reads}
        expected |= {("topic", "literal", t, "Write") for t in (*user.writes, *user.dead_letter_topics)}
        assert topics == expected, name
        assert {g for g in acls[name] if g[0] == "group"} == {("group", "prefixed", user.groups, "Read")}
        assert not any("*" in g[2] for g in acls[name]), "no wildcard resources"
    assert set(acls) == set(users)


def test_the_kafka_users_grant_the_same_as_compose(users):
    acls = granted((KAFKA / "acls.txt").read_text().splitlines())
    strimzi_type = {
        "topic": "topic",
        "group": "group",
        "transactionalId": "transactional-id",
        "cluster": "cluster",
    }
    documents = list(yaml.safe_load_all((DEPLOY / "k8s" / "infra" / "kafka-users.yaml").read_text()))
    assert {d["metadata"]["name"] for d in documents} == set(users)
    for document in documents:
        assert document["spec"]["authentication"] == {"type": "scram-sha-512"}
        found = set()
        for acl in document["spec"]["authorization"]["acls"]:
            resource = acl["resource"]
            pattern = "prefixed" if resource.get("patternType") == "prefix" else "literal"
            name = resource.get("name", "kafka-cluster")
            found |= {(strimzi_type[resource["type"]], pattern, name, op) for op in acl["operations"]}
        assert found == acls[document["metadata"]["name"]]


# --------------------------------------------------------------------------------- docker-compose


def properties(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_the_compose_broker_lets_nobody_in_without_a_user_and_an_acl():
    config = properties(KAFKA / "server.properties")
    protocols = dict(p.split(":") for p in config["listener.security.protocol.map"].split(","))
    for listener in config["listeners"].split(","):
        name, address = listener.split("://")
        if not protocols[name].startswith("SASL_"):
            assert address.startswith("localhost:") or address.startswith("127.0.0.1:"), listener
    assert config["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert config["authorizer.class.name"].endswith("StandardAuthorizer")
    assert config["allow.everyone.if.no.acl.found"] == "false"
    assert config["super.users"] == "User:admin;User:ANONYMOUS"
    assert config["auto.create.topics.enable"] == "false"
    assert config["process.roles"] == "broker,controller"


def stand_in(tmp_path: Path, name: str) -> Path:
    """A stand-in for one of Kafka's command-line tools that records its arguments."""
    tool = tmp_path / name
    tool.write_text(f'#!/bin/sh\necho "$*" >> {tmp_path / "calls.txt"}\n')
    tool.chmod(0o755)
    return tool


def calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.txt").read_text().splitlines()


def test_the_broker_starts_with_the_admin_user_in_its_storage(tmp_path):
    env = {
        **os.environ,
        "CLUSTER_ID": "d2l0YWota2Fma2EtMDAwMQ",
        "KAFKA_ADMIN_PASSWORD": "adm1n",
        "BROKER_CONFIG": str(tmp_path / "server.properties"),
        "ADMIN_CONFIG": str(tmp_path / "admin.properties"),
        "KAFKA_STORAGE": str(stand_in(tmp_path, "kafka-storage.sh")),
        "KAFKA_SERVER_START": str(stand_in(tmp_path, "kafka-server-start.sh")),
    }
    script = KAFKA / "start-broker.sh"
    result = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    format_call, start_call = calls(tmp_path)
    assert "format --ignore-formatted --cluster-id d2l0YWota2Fma2EtMDAwMQ" in format_call
    assert "--add-scram SCRAM-SHA-512=[name=admin,password=adm1n]" in format_call
    assert start_call == str(tmp_path / "server.properties")
    config = properties(tmp_path / "server.properties")
    assert (
        'username="admin" password="adm1n"' in config["listener.name.internal.scram-sha-512.sasl.jaas.config"]
    )
    assert properties(tmp_path / "admin.properties")["sasl.mechanism"] == "SCRAM-SHA-512"
    assert (tmp_path / "server.properties").stat().st_mode & 0o077 == 0, "the password file is private"


def test_the_init_step_creates_each_users_login_and_its_acls(tmp_path, compose):
    init = {k: interpolate(str(v)) for k, v in compose["services"]["kafka-init"]["environment"].items()}
    env = {
        **os.environ,
        **{k: v for k, v in init.items() if k.endswith("_KAFKA_PASSWORD")},
        "COMMAND_CONFIG": "/tmp/admin.properties",
        "ACLS_FILE": str(KAFKA / "acls.txt"),
        "KAFKA_CONFIGS": str(stand_in(tmp_path, "kafka-configs.sh")),
        "KAFKA_ACLS": str(stand_in(tmp_path, "kafka-acls.sh")),
    }
    script = KAFKA / "create-users.sh"
    result = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    made = calls(tmp_path)
    logins = {c.split("--entity-name ")[1].split()[0] for c in made if "--entity-type users" in c}
    assert logins == {
        "witaj-content",
        "witaj-events",
        "witaj-notify",
        "witaj-stats",
        "witaj-stats-processor",
        "witaj-ask",
    }
    assert "witaj-analyst-example cannot log in" in result.stderr  # analysts connect in Kubernetes
    assert all("--command-config /tmp/admin.properties" in c for c in made)
    added = [c for c in made if " --add " in c]
    acl_lines = [line for line in (KAFKA / "acls.txt").read_text().splitlines() if not line.startswith("#")]
    assert len(added) == len(acl_lines)
    notify = next(c for c in added if "User:witaj-notify" in c and "--operation Read" in c and "--topic" in c)
    assert "--topic city.config --topic content.items" in notify
    assert "--resource-pattern-type literal" in notify


def test_each_compose_service_logs_in_as_its_own_user(compose, users):
    for name in (*BROKER_SERVICES, "stats-processor"):
        prefix = "WITAJ_STATS_" if name == "stats-processor" else f"WITAJ_{name.upper()}_"
        env = compose["services"][name]["environment"]
        user = f"witaj-{name}"
        assert user in users
        assert env[prefix + "KAFKA__SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env[prefix + "KAFKA__SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env[prefix + "KAFKA__SASL_USERNAME"] == user
        variable = user.upper().replace("-", "_") + "_KAFKA_PASSWORD"
        assert env[prefix + "KAFKA__SASL_PASSWORD"] == f"${{{variable}:?see deploy/compose.env.example}}"
        assert variable in compose["services"]["kafka-init"]["environment"]
        assert f"{variable}=" in (DEPLOY / "compose.env.example").read_text()
    assert "kafka" not in {s for s, spec in compose["services"].items() if spec.get("ports")}


def test_the_kafka_scripts_are_valid_shell():
    for script in KAFKA.glob("*.sh"):
        result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, timeout=10)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"


def test_the_analysts_example_subscriber_logs_in_as_the_brokers_want(users, monkeypatch):
    path = DEPLOY.parent / "services" / "stats" / "examples" / "subscribe.py"
    spec = importlib.util.spec_from_file_location("witaj_stats_subscribe_example", path)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    monkeypatch.setenv("WITAJ_KAFKA_PASSWORD", "analyst-secret")
    options = example.login("witaj-analyst-example", None)
    assert (options["security_protocol"], options["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert options["sasl_plain_username"] in users
    assert set(example.TOPICS) <= set(users["witaj-analyst-example"].reads)
    assert example.login(None, None) == {}, "a development broker takes anonymous clients"
