"""Every Kafka client of a service logs in as that service (SASL) and checks the brokers' certificates.

The brokers of a deployment refuse anonymous clients and let each user touch only its own topics
(deploy/kafka/access.yaml), so a client built without the settings' credentials would simply fail in
production; these checks catch it before.
"""

from __future__ import annotations

import ast
import datetime
import ssl
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError
from witaj.content.settings import ContentSettings
from witaj.shared.settings import KafkaSettings

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = {"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient"}


def make_ca(path: Path) -> Path:
    """A self-signed CA certificate, as the Kafka operator's cluster CA is."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "witaj-cluster-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def scram(**extra: object) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers="witaj-kafka-bootstrap:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="witaj-content",
        sasl_password="s3cret",
        **extra,
    )


def test_client_options_carry_the_user_and_trust_the_cluster_ca(tmp_path: Path) -> None:
    options = scram(ssl_cafile=str(make_ca(tmp_path / "ca.crt"))).client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("witaj-content", "s3cret")
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    subjects = [dict(item[0] for item in ca["subject"]) for ca in context.get_ca_certs()]
    assert {"commonName": "witaj-cluster-ca"} in subjects


async def test_each_kind_of_client_takes_the_options() -> None:
    options = scram().client_options()
    for client in (
        AIOKafkaProducer(**options).client,  # type: ignore[arg-type]
        AIOKafkaConsumer(**options)._client,  # type: ignore[arg-type]
        AIOKafkaAdminClient(**options)._client,  # type: ignore[arg-type]
    ):
        assert client._security_protocol == "SASL_SSL"
        assert client._sasl_mechanism == "SCRAM-SHA-512"
        assert client._sasl_plain_username == "witaj-content"
        assert client._ssl_context is not None


@pytest.mark.parametrize(
    "settings",
    [
        {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "u"},
        {"security_protocol": "SASL_PLAINTEXT", "sasl_username": "u", "sasl_password": "p"},
        {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_password": "p"},
        {"security_protocol": "PLAINTEXT", "sasl_username": "u", "sasl_password": "p"},
    ],
)
def test_half_given_credentials_are_refused(settings: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match=r"(?i)sasl"):
        KafkaSettings(**settings)  # type: ignore[arg-type]


def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITAJ_CONTENT_SERVICE__ENVIRONMENT", "production")
    monkeypatch.setenv("WITAJ_CONTENT_AUTH__ISSUER", "https://sso.lublin.eu/realms/witaj")
    monkeypatch.setenv("WITAJ_CONTENT_MONGO__URL", "mongodb://mongo-0.mongo:27017/?replicaSet=rs0")


def test_production_refuses_an_anonymous_broker_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    production(monkeypatch)
    with pytest.raises(ValidationError, match="kafka needs SASL"):
        ContentSettings()


def test_production_takes_the_user_and_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    production(monkeypatch)
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SASL_USERNAME", "witaj-content")
    monkeypatch.setenv("WITAJ_CONTENT_KAFKA__SASL_PASSWORD", "from-a-secret")
    kafka = ContentSettings().kafka
    assert kafka.client_options()["sasl_plain_password"] == "from-a-secret"
    assert "from-a-secret" not in repr(kafka)


def aiokafka_clients_built(path: Path) -> list[tuple[int, bool]]:
    """(line, built from client_options) for each aiokafka client constructed in one module: the
    function that constructs it must take the settings' connection options."""
    found = []
    functions = [
        n
        for n in ast.walk(ast.parse(path.read_text()))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    for function in functions:
        calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
        takes = any(getattr(c.func, "attr", None) == "client_options" for c in calls)
        found += [(c.lineno, takes) for c in calls if getattr(c.func, "id", None) in CLIENTS]
    return found


def test_every_kafka_client_of_the_services_is_built_from_the_settings() -> None:
    sources = [*(ROOT / "shared" / "src").rglob("*.py"), *(ROOT / "services").glob("*/src/**/*.py")]
    built = {str(p.relative_to(ROOT)): aiokafka_clients_built(p) for p in sources}
    assert sum(len(b) for b in built.values()) >= 3  # the publisher, the consumer, the topic admin
    assert {p: [line for line, takes in b if not takes] for p, b in built.items() if b} == {
        p: [] for p, b in built.items() if b
    }
