"""Kubernetes NetworkPolicies: the namespace denies by default, and each part reaches only what it needs.

The policies are evaluated offline (netpol.py) between the pods the overlays render and the operators'
and cluster's pods, labelled as their operators label them.
"""

from __future__ import annotations

from typing import Any

import pytest
from netpol import Endpoint, allowed, outside, selects
from test_kubernetes import of_kind, render

KAFKA = Endpoint(
    {"strimzi.io/cluster": "witaj", "strimzi.io/kind": "Kafka", "strimzi.io/name": "witaj-kafka"}
)
MONGODB = Endpoint({"app": "witaj-mongo-svc"})
DNS = Endpoint({"k8s-app": "kube-dns"}, namespace="kube-system")
INGRESS_CONTROLLER = Endpoint({"app.kubernetes.io/name": "ingress-nginx"}, namespace="ingress-nginx")
PROMETHEUS = Endpoint({"app.kubernetes.io/name": "prometheus"}, namespace="monitoring")
STRANGER = Endpoint({"app": "something-else"}, namespace="default")
UNLABELLED = Endpoint({})  # any other pod someone starts in the namespace
PUBLIC = "203.0.113.10"
PRIVATE = ("10.96.0.1", "172.20.3.4", "192.168.1.1", "169.254.169.254", "127.0.0.1")


def strimzi_listener_policies(kafka: dict[str, Any]) -> list[dict[str, Any]]:
    """What Strimzi's operator adds for the brokers: each listener open to its networkPolicyPeers (or to
    everyone without them), the replication and control ports to the cluster's own pods."""
    brokers = {"matchLabels": dict(KAFKA.labels)}
    ingress = [
        {
            "from": listener.get("networkPolicyPeers", []),
            "ports": [{"protocol": "TCP", "port": listener["port"]}],
        }
        for listener in kafka["spec"]["kafka"]["listeners"]
    ]
    own = {"podSelector": {"matchLabels": {"strimzi.io/cluster": "witaj"}}}
    ingress.append({"from": [own], "ports": [{"protocol": "TCP", "port": p} for p in (9090, 9091)]})
    policy = {"podSelector": brokers, "policyTypes": ["Ingress"], "ingress": ingress}
    return [{"kind": "NetworkPolicy", "metadata": {"name": "strimzi", "namespace": "witaj"}, "spec": policy}]


@pytest.fixture(scope="module", params=("multi-city", "warszawa"))
def cluster(request) -> dict[str, Any]:
    objects = render(request.param)
    policies = of_kind(objects, "NetworkPolicy") + strimzi_listener_policies(of_kind(objects, "Kafka")[0])
    pods = {
        d["metadata"]["name"]: Endpoint(d["spec"]["template"]["metadata"]["labels"])
        for d in of_kind(objects, "Deployment")
    }
    return {"policies": policies, "pods": pods, "objects": objects}


def reach(cluster: dict[str, Any], source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP"):
    return allowed(cluster["policies"], source, destination, port, protocol)


def apis(cluster: dict[str, Any]) -> dict[str, Endpoint]:
    return {n: p for n, p in cluster["pods"].items() if p.labels["app.kubernetes.io/component"] == "api"}


def web_apps(cluster: dict[str, Any]) -> dict[str, Endpoint]:
    return {n: p for n, p in cluster["pods"].items() if p.labels["app.kubernetes.io/component"] == "web"}


def on_the_broker(cluster: dict[str, Any]) -> dict[str, Endpoint]:
    return {n: p for n, p in cluster["pods"].items() if n not in web_apps(cluster)}


def test_the_namespace_denies_everything_by_default(cluster):
    denying = [
        p
        for p in of_kind(cluster["objects"], "NetworkPolicy")
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(denying) == 1
    assert not reach(cluster, UNLABELLED, KAFKA, 9093)
    assert not reach(cluster, UNLABELLED, outside(PUBLIC), 443)


def test_every_workload_is_selected_by_a_policy_that_allows_something(cluster):
    policies = of_kind(cluster["objects"], "NetworkPolicy")
    for name, pod in cluster["pods"].items():
        chosen = [p for p in policies if selects(p["spec"]["podSelector"], pod.labels)]
        assert any(p["spec"].get("egress") for p in chosen), f"{name} may send nothing"
        assert any(p["spec"].get("ingress") for p in chosen), f"{name} may receive nothing"


def test_each_service_and_the_processor_reach_their_database_the_brokers_and_dns(cluster):
    for name, pod in on_the_broker(cluster).items():
        assert reach(cluster, pod, MONGODB, 27017), name
        assert reach(cluster, pod, KAFKA, 9093), name
        assert reach(cluster, pod, DNS, 53, "UDP"), name
        assert not reach(cluster, pod, KAFKA, 9092), f"{name}: the brokers' only client port is TLS"


def test_nothing_else_reaches_the_database_or_the_brokers(cluster):
    for stranger in (UNLABELLED, *web_apps(cluster).values(), INGRESS_CONTROLLER, STRANGER):
        assert not reach(cluster, stranger, MONGODB, 27017)
        assert not reach(cluster, stranger, KAFKA, 9093)


def test_the_gateway_and_prometheus_reach_the_apis_and_strangers_do_not(cluster):
    for name, api in apis(cluster).items():
        assert reach(cluster, INGRESS_CONTROLLER, api, 8000), name
        assert reach(cluster, PROMETHEUS, api, 8000), name
        for stranger in (STRANGER, UNLABELLED):
            assert not reach(cluster, stranger, api, 8000), name
    processor = cluster["pods"]["stats-processor"]
    assert reach(cluster, PROMETHEUS, processor, 8000)
    assert not reach(cluster, INGRESS_CONTROLLER, processor, 8000)


def test_services_do_not_call_each_other(cluster):
    """They talk through Kafka only; the processor has no API to call and calls none."""
    for source_name, source in on_the_broker(cluster).items():
        for name, api in apis(cluster).items():
            assert not reach(cluster, source, api, 8000), f"{source_name} -> {name}"


def test_the_web_app_reaches_the_four_apis_and_nothing_of_theirs(cluster):
    assert web_apps(cluster), "the web app is deployed"
    for web_name, web in web_apps(cluster).items():
        for name, api in apis(cluster).items():
            assert reach(cluster, web, api, 8000), f"{web_name} -> {name}"
        assert not reach(cluster, web, cluster["pods"]["stats-processor"], 8000)
        assert reach(cluster, web, DNS, 53, "UDP")


def test_readers_reach_the_web_app_through_the_ingress_controller_only(cluster):
    for name, web in web_apps(cluster).items():
        assert reach(cluster, INGRESS_CONTROLLER, web, 8000), name
        assert reach(cluster, PROMETHEUS, web, 8000), name
        for stranger in (STRANGER, UNLABELLED, *apis(cluster).values()):
            assert not reach(cluster, stranger, web, 8000), name
        assert reach(cluster, web, outside(PUBLIC), 443), f"{name}: the identity provider"
        for address in PRIVATE:
            assert not reach(cluster, web, outside(address), 443), f"{name} -> {address}"
        assert not reach(cluster, web, outside(PUBLIC), 80)


def test_outbound_traffic_goes_to_public_addresses_only_and_only_where_needed(cluster):
    pods = cluster["pods"]
    for name, api in apis(cluster).items():
        assert reach(cluster, api, outside(PUBLIC), 443), f"{name}: the identity provider's keys"
        for address in PRIVATE:
            assert not reach(cluster, api, outside(address), 443), f"{name} -> {address}"
            assert not reach(cluster, api, outside(address), 80), f"{name} -> {address}"
    assert reach(cluster, pods["events"], outside(PUBLIC), 80), "calendar feeds over plain HTTP"
    assert not reach(cluster, pods["content"], outside(PUBLIC), 80)
    assert reach(cluster, pods["notify"], outside(PUBLIC), 587), "the mail relay"
    assert not reach(cluster, pods["content"], outside(PUBLIC), 587)
    processor = pods["stats-processor"]
    assert not any(reach(cluster, processor, outside(PUBLIC), port) for port in (80, 443, 587))


def test_the_public_ranges_are_the_same_in_every_policy(cluster):
    blocks = [
        [peer["ipBlock"] for peer in rule["to"]]
        for policy in of_kind(cluster["objects"], "NetworkPolicy")
        for rule in policy["spec"].get("egress") or []
        if any("ipBlock" in peer and peer["ipBlock"].get("except") for peer in rule.get("to", []))
    ]
    assert len(blocks) == 2 and blocks[0] == blocks[1]
