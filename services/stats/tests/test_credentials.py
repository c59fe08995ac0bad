"""The stats processor's faust app logs in to Kafka as the processor, like every other client."""

from __future__ import annotations

import ssl

from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from witaj.shared.settings import KafkaSettings
from witaj.stats.processor import create_app, environment
from witaj.stats.settings import StatsSettings


def scram() -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers="witaj-kafka-bootstrap:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="witaj-stats-processor",
        sasl_password="s3cret",
    )


def test_faust_gets_the_processor_user_and_the_tls_context() -> None:
    kafka = scram()
    app = create_app(StatsSettings(kafka=kafka))
    # what faust hands its own aiokafka producers, consumers and admin client
    auth = credentials_to_aiokafka_auth(app.conf.broker_credentials)
    expected = kafka.client_options()
    for option in ("security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password"):
        assert auth[option] == expected[option], option
    assert isinstance(auth["ssl_context"], ssl.SSLContext)
    assert auth["ssl_context"].verify_mode == ssl.CERT_REQUIRED


def test_a_development_broker_needs_no_credentials() -> None:
    app = create_app(StatsSettings())
    assert credentials_to_aiokafka_auth(app.conf.broker_credentials) == {"security_protocol": "PLAINTEXT"}


def test_a_processor_started_as_a_process_gets_the_same_login(monkeypatch) -> None:
    for key, value in environment(StatsSettings(kafka=scram())).items():
        monkeypatch.setenv(key, value)
    kafka = StatsSettings().kafka
    assert kafka.client_options()["sasl_plain_password"] == "s3cret"
    assert kafka.sasl_username == "witaj-stats-processor"
