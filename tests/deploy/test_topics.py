"""The one topic list: it covers the code's topics, feeds the compose init step and the KafkaTopics."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from deploy_helpers import DEPLOY
from witaj.shared import topics as code_topics

SCRIPT = DEPLOY / "kafka" / "create-topics.sh"


def test_every_topic_the_code_names_is_listed(kafka_topics):
    assert set(code_topics.ALL) - set(kafka_topics.read_topics()) == set()


def test_the_kafka_topic_resources_are_generated_from_the_list(kafka_topics):
    assert kafka_topics.OUTPUT.read_text() == kafka_topics.render(kafka_topics.read_topics())


def test_a_malformed_line_is_refused(kafka_topics, tmp_path):
    bad = tmp_path / "topics.txt"
    bad.write_text("content.items twelve\n")
    with pytest.raises(ValueError, match="expected"):
        kafka_topics.read_topics(bad)


def run_script(tmp_path: Path, topics: str) -> subprocess.CompletedProcess[str]:
    """Run create-topics.sh with a stand-in for kafka-topics.sh that records its arguments."""
    log = tmp_path / "calls.txt"
    fake = tmp_path / "kafka-topics.sh"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    fake.chmod(0o755)
    (tmp_path / "topics.txt").write_text(topics)
    env = {
        **os.environ,
        "KAFKA_TOPICS": str(fake),
        "TOPICS_FILE": str(tmp_path / "topics.txt"),
        "TOPIC_PREFIX": "demo.",
        "COMMAND_CONFIG": "/tmp/admin.properties",
    }
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=10)


def test_init_script_creates_each_topic_and_its_dead_letter_twin(tmp_path):
    result = run_script(tmp_path, "# comment\n\ncity.config 3 compact\ncontent.items 12\n")
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert len(calls) == 4
    assert "--topic demo.city.config --partitions 3" in calls[0] and "cleanup.policy=compact" in calls[0]
    assert "--topic demo.city.config.dlq --partitions 1" in calls[1] and "cleanup.policy=delete" in calls[1]
    assert "--topic demo.content.items --partitions 12" in calls[2]
    assert all("--if-not-exists" in c and "--bootstrap-server kafka:9092" in c for c in calls)
    assert all("--command-config /tmp/admin.properties" in c for c in calls), "logged in as the admin user"


def test_init_script_stops_on_a_malformed_line(tmp_path):
    result = run_script(tmp_path, "content.items\n")
    assert result.returncode == 2
    assert "bad line" in result.stderr


def test_the_real_list_runs_through_the_init_script(tmp_path, kafka_topics):
    result = run_script(tmp_path, (DEPLOY / "kafka" / "topics.txt").read_text())
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "calls.txt").read_text().splitlines()) == 2 * len(kafka_topics.read_topics())
