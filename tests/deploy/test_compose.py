"""docker-compose.yml: valid by the Compose specification, wired by healthchecks, set like production."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import jsonschema
import pytest
import yaml
from deploy_helpers import BROKER_SERVICES, DEPLOY, ROOT, SCHEMAS, SERVICES, interpolate, load_tool

APP_SERVICES = (*SERVICES, "stats-processor")
BROKER_APPS = (*BROKER_SERVICES, "stats-processor")


def prefix(name: str) -> str:
    return "WITAJ_STATS_" if name == "stats-processor" else f"WITAJ_{name.upper()}_"


def environment(compose: dict[str, Any], name: str) -> dict[str, str]:
    return {k: interpolate(str(v)) for k, v in compose["services"][name]["environment"].items()}


def test_compose_file_follows_the_compose_specification(compose):
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    errors = [f"{e.json_path}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(compose)]
    assert errors == []


def test_the_schema_rejects_a_broken_compose_file(compose):
    """Guards the check above: a misspelt key must fail against the vendored schema."""
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    broken = {"services": {"content": {**compose["services"]["content"], "helthcheck": {}}}}
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_every_service_of_the_platform_is_in_compose(compose):
    assert set(compose["services"]) >= {
        *APP_SERVICES,
        "kafka",
        "kafka-init",
        "mongo",
        "mongo-init",
        "keycloak",
        "gateway",
        "prometheus",
    }


def test_depends_on_targets_exist_and_can_satisfy_their_condition(compose):
    services = compose["services"]
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            target_service = services[target]
            if rule["condition"] == "service_healthy":
                has_check = "healthcheck" in target_service and not target_service["healthcheck"].get(
                    "disable"
                )
                image_check = "HEALTHCHECK" in _dockerfile(target_service)
                assert has_check or image_check, f"{name} waits for {target}, which has no healthcheck"
            elif rule["condition"] == "service_completed_successfully":
                assert target_service.get("restart") == "no", f"{target} is a one-shot step"


def _dockerfile(service: dict[str, Any]) -> str:
    build = service.get("build")
    return (ROOT / build["dockerfile"]).read_text() if build else ""


def test_services_start_after_broker_topics_database_and_identity_provider(compose):
    for name in BROKER_APPS:
        depends = compose["services"][name]["depends_on"]
        assert depends["kafka-init"]["condition"] == "service_completed_successfully"
        assert depends["mongo-init"]["condition"] == "service_completed_successfully"
        assert depends["keycloak"]["condition"] == "service_healthy"
    assert compose["services"]["kafka-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert compose["services"]["mongo-init"]["depends_on"]["mongo"]["condition"] == "service_healthy"


def test_infrastructure_images_are_pinned_to_exact_versions(compose):
    for name, service in compose["services"].items():
        image = interpolate(service["image"])
        tag = image.rsplit(":", 1)[-1]
        assert (":" in image and tag not in ("latest", "dev")) or "build" in service, f"{name}: {image}"
    assert compose["services"]["kafka"]["image"].startswith("apache/kafka:")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_required_setting_is_set_for_production(compose, settings_reference, name):
    env = environment(compose, name)
    service = "stats" if name == "stats-processor" else name
    missing = [s for s in settings_reference.required(service) if prefix(name) + s not in env]
    assert missing == []
    assert env[prefix(name) + "SERVICE__ENVIRONMENT"] == "production"
    if name != "web":
        assert env[prefix(name) + "KAFKA__IDEMPOTENT_PRODUCER"] == "true"


def test_the_stats_processor_runs_exactly_once_with_the_stats_settings(compose):
    """The same settings as the API but its own Kafka user, and probes on the service port."""
    services = compose["services"]
    api, processor = services["stats"]["environment"], services["stats-processor"]["environment"]
    own = {"KAFKA__SASL_USERNAME", "KAFKA__SASL_PASSWORD", "PROCESSOR__HEALTH_PORT"}
    assert {k: v for k, v in processor.items() if k.removeprefix("WITAJ_STATS_") not in own} == {
        k: v for k, v in api.items() if k.removeprefix("WITAJ_STATS_") not in own
    }
    assert processor["WITAJ_STATS_KAFKA__SASL_USERNAME"] != api["WITAJ_STATS_KAFKA__SASL_USERNAME"]
    assert processor["WITAJ_STATS_PROCESSOR__HEALTH_PORT"] == processor["WITAJ_STATS_SERVICE__PORT"]
    assert services["stats-processor"]["command"] == ["witaj-stats-processor"]
    assert services["stats-processor"]["image"] == services["stats"]["image"]
    assert services["stats"]["environment"]["WITAJ_STATS_KAFKA__EXACTLY_ONCE"] == "true"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_set_names_a_real_setting(compose, settings_reference, name):
    service = "stats" if name == "stats-processor" else name
    known = settings_reference.catalogue(service)
    unknown = [k for k in environment(compose, name) if k.removeprefix(prefix(name)) not in known]
    assert unknown == []


@pytest.mark.parametrize("name", BROKER_SERVICES)
def test_compose_settings_pass_the_production_safety_checks(compose, settings_reference, name, monkeypatch):
    for key, value in environment(compose, name).items():
        monkeypatch.setenv(key, value)
    settings = settings_reference.settings_class(name)()
    assert settings.service.environment == "production"
    assert settings.mongo.database == f"witaj_{name}"
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    assert "replicaSet=rs0" in settings.mongo.url.get_secret_value()


def test_issuer_is_the_realm_keycloak_imports(compose):
    realm = json.loads((DEPLOY / "keycloak" / "witaj-realm.json").read_text())["realm"]
    for name in BROKER_SERVICES:
        env = environment(compose, name)
        assert env[prefix(name) + "AUTH__ISSUER"] == f"http://localhost:8080/auth/realms/{realm}"
        assert env[prefix(name) + "AUTH__JWKS_URL"].startswith(f"http://keycloak:8080/auth/realms/{realm}/")


def test_mounted_files_exist(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_secrets_have_no_defaults_in_compose():
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("MONGO_PASSWORD", "MONGO_ROOT_PASSWORD", "MONGO_KEYFILE", "KEYCLOAK_ADMIN_PASSWORD"):
        assert f"{secret}:-" not in text
    example = (DEPLOY / "compose.env.example").read_text()
    for name in BROKER_SERVICES:
        assert f"WITAJ_{name.upper()}_MONGO_PASSWORD=" in example
    assert "WITAJ_WEB_SECRET_KEY=" in example and "WITAJ_WEB_SECRET_KEY:-" not in text


def test_services_trust_x_forwarded_for_from_the_gateway_and_the_web_app_only(compose):
    """The gateway appends the address it saw; the web app passes on its reader's (so rate limits are per
    reader, not per web app). The services believe those two and no other; the web app the gateway."""
    gateway = interpolate(compose["services"]["gateway"]["networks"]["default"]["ipv4_address"])
    web = interpolate(compose["services"]["web"]["networks"]["default"]["ipv4_address"])
    subnet = interpolate(compose["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(gateway) in ipaddress.ip_network(subnet)
    assert ipaddress.ip_address(web) in ipaddress.ip_network(subnet) and web != gateway
    for name in BROKER_APPS:
        trusted = json.loads(environment(compose, name)[prefix(name) + "SERVICE__TRUSTED_PROXIES"])
        assert trusted == [gateway, web], name
    assert json.loads(environment(compose, "web")["WITAJ_WEB_SERVICE__TRUSTED_PROXIES"]) == [gateway]
    keycloak = compose["services"]["keycloak"]["environment"]
    assert interpolate(keycloak["KC_PROXY_TRUSTED_ADDRESSES"]) == gateway
    nginx = (DEPLOY / "gateway" / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx


def test_the_web_app_reads_the_apis_inside_and_is_the_gateways_front_page(compose, monkeypatch):
    env = environment(compose, "web")
    web_settings = load_tool("settings_reference").settings_class("web")
    reads = [field.removesuffix("_url") for field in web_settings.model_fields if field.endswith("_url")]
    assert set(reads) <= set(BROKER_SERVICES) and "content" in reads  # each API the web app has a URL for
    for name in reads:
        assert env[f"WITAJ_WEB_{name.upper()}_URL"] == f"http://{name}:8000"
        assert compose["services"]["web"]["depends_on"][name]["condition"] == "service_healthy"
    assert "kafka-init" not in compose["services"]["web"]["depends_on"]  # no broker, no database
    assert compose["services"]["gateway"]["depends_on"]["web"]["condition"] == "service_healthy"
    nginx = (DEPLOY / "gateway" / "nginx.conf").read_text()
    assert "upstream web      { server web:8000;      keepalive 16; }" in nginx
    assert "location / {\n            proxy_pass http://web;" in nginx
    assert "location ~ ^/((content|events|notify|stats|ask)/)?metrics$ {\n            return 404;" in nginx
    prometheus = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = [t for c in prometheus["scrape_configs"][0]["static_configs"] for t in c["targets"]]
    assert "web:8000" in targets
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WITAJ_WEB_SECRET_KEY", "an operator's key of 32 characters or more")
    settings = web_settings()
    assert settings.service.environment == "production" and settings.cookies_secure
    assert settings.map.tile_url is None  # no tile server set: no map, and images from the app only


def test_only_the_gateway_is_published_on_the_host(compose):
    """The mail catcher shows every message sent and Prometheus every metric: neither is public."""
    assert {name for name, service in compose["services"].items() if service.get("ports")} == {"gateway"}


def test_development_additions_publish_on_loopback_only(compose):
    dev = yaml.safe_load((DEPLOY / "compose.dev.yml").read_text())
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(dev)) == []
    assert set(dev["services"]) <= set(compose["services"])
    for name, service in dev["services"].items():
        for port in service.get("ports", []):
            assert interpolate(port).startswith("127.0.0.1:"), f"{name} publishes {port}"
    realm_target = compose["services"]["keycloak"]["volumes"][0].split(":")[1]
    assert dev["services"]["keycloak"]["volumes"] == [
        f"./deploy/keycloak/witaj-realm.dev.json:{realm_target}:ro"
    ], "the development realm replaces the production one"


def realm(name: str) -> dict[str, Any]:
    return json.loads((DEPLOY / "keycloak" / name).read_text())


def test_the_realm_real_people_use_has_no_demo_users_and_no_password_grant(compose):
    production = realm("witaj-realm.json")
    assert production.get("users", []) == []
    assert [c.get("directAccessGrantsEnabled") for c in production["clients"]] == [False] * len(
        production["clients"]
    )
    assert "./deploy/keycloak/witaj-realm.json:" in compose["services"]["keycloak"]["volumes"][0]


def test_the_development_realm_adds_only_demo_users_and_the_password_grant():
    production, development = realm("witaj-realm.json"), realm("witaj-realm.dev.json")
    assert {u["username"] for u in development["users"]} >= {"lublin-pa-editor", "platform-admin"}
    assert all(c["directAccessGrantsEnabled"] for c in development["clients"])
    stripped = {k: v for k, v in development.items() if k != "users"}
    stripped["clients"] = [{**c, "directAccessGrantsEnabled": False} for c in development["clients"]]
    assert stripped == production
    tool = load_tool("keycloak_realm")
    assert (DEPLOY / "keycloak" / "witaj-realm.dev.json").read_text() == tool.render()
