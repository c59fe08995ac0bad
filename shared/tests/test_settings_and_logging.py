"""Settings read per-service prefixes and refuse unsafe production values; logs drop personal data."""

import json
import logging

import pytest
from pydantic import ValidationError
from witaj.content.settings import ContentSettings
from witaj.events.settings import EventsSettings
from witaj.shared.logging import configure_logging, get_logger


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__BOOTSTRAP_SERVERS", "kafka-a:9092")
    monkeypatch.setenv("WITAJ_EVENTS_KAFKA__BOOTSTRAP_SERVERS", "kafka-b:9092")
    monkeypatch.setenv("WITAJ_EVENTS_SERVICE__CITIES", '["lublin"]')
    content, events = ContentSettings(), EventsSettings()
    assert content.kafka.bootstrap_servers == "kafka-a:9092"
    assert events.kafka.bootstrap_servers == "kafka-b:9092"
    assert content.mongo.database == "witaj_content" and events.mongo.database == "witaj_events"
    assert events.service.serves("lublin") and not events.service.serves("gdansk")
    assert content.service.serves("gdansk")


def test_production_refuses_development_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITAJ_CONTENT_SERVICE__ENVIRONMENT", "production")
    monkeypatch.setenv("WITAJ_CONTENT_AUTH__DEV_KEY_PATH", "/tmp/k.pem")
    with pytest.raises(ValidationError, match="dev_key_path"):
        ContentSettings()


def test_production_accepts_real_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITAJ_CONTENT_SERVICE__ENVIRONMENT", "production")
    monkeypatch.setenv("WITAJ_CONTENT_AUTH__ISSUER", "https://sso.lublin.eu/realms/witaj")
    monkeypatch.setenv("WITAJ_CONTENT_MONGO__URL", "mongodb://mongo-0.mongo:27017/?replicaSet=rs0")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SASL_USERNAME", "witaj-content")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SASL_PASSWORD", "from-a-secret")
    assert ContentSettings().service.environment == "production"


def test_logs_are_json_and_never_carry_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    get_logger("t").info(
        "registration.created",
        email="anna@example.org",
        name="Anna",
        event_id="e1",
        nested={"phone": "+48 600"},
    )
    logging.getLogger("plain").warning("stdlib line")
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    first = lines[0]
    assert first["event"] == "registration.created" and first["event_id"] == "e1"
    assert first["email"] == "[redacted]" and first["name"] == "[redacted]"
    assert first["nested"]["phone"] == "[redacted]"
    assert "anna" not in json.dumps(lines).lower()
    assert lines[1]["event"] == "stdlib line"


def test_per_city_deployments_consume_in_their_own_groups() -> None:
    from witaj.shared.runtime import Runtime

    shared = Runtime(ContentSettings(), source="witaj/content")
    warszawa = Runtime(ContentSettings(service={"cities": ["warszawa"]}), source="witaj/content")
    assert shared.group_id("items") == "witaj/content.items"
    assert warszawa.group_id("items") == "witaj/content.items.cities-warszawa"
