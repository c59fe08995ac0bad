"""Whether Kubernetes NetworkPolicies let one endpoint reach another, as the API defines it.

A connection passes when the source's egress allows it and the destination's ingress allows it. On each
side: a pod that no policy of that direction selects is open; once one selects it, only what some rule
of such a policy allows passes (rules add up). A rule matches a peer by pod selector (in the policy's
namespace), namespace selector (with an optional pod selector) or IP block (addresses outside the
cluster's pods), and a port list (empty: every port). Enough of the specification to check Witaj's
policies offline; named ports and endPort ranges are not used there and not modelled.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

Policy = dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    """A pod (labels in a namespace) or an address outside the cluster (namespace None)."""

    labels: dict[str, str] = field(default_factory=dict)
    namespace: str | None = "witaj"
    address: str | None = None

    @property
    def namespace_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace} if self.namespace else {}


def outside(address: str) -> Endpoint:
    return Endpoint(namespace=None, address=address)


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        matched = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels[key] not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }[operator]
        if not matched:
            return False
    return True


def _peer_matches(peer: dict[str, Any], endpoint: Endpoint, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        if endpoint.address is None:
            return False  # pods are matched by selectors (their addresses depend on the cluster)
        address = ipaddress.ip_address(endpoint.address)
        block = peer["ipBlock"]
        if address not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(address in ipaddress.ip_network(e) for e in block.get("except", []))
    if endpoint.namespace is None:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], endpoint.namespace_labels):
            return False
    elif endpoint.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], endpoint.labels)


def _port_matches(ports: list[dict[str, Any]] | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    return any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in ports)


def _direction_allows(
    policies: list[Policy], endpoint: Endpoint, peer: Endpoint, port: int, protocol: str, direction: str
) -> bool:
    if endpoint.namespace is None:
        return True  # outside the cluster: nothing of ours applies
    kind, key, peers_key = (
        ("Egress", "egress", "to") if direction == "egress" else ("Ingress", "ingress", "from")
    )
    relevant = [
        p
        for p in policies
        if p["metadata"].get("namespace", "witaj") == endpoint.namespace
        and selects(p["spec"]["podSelector"], endpoint.labels)
        and kind in p["spec"].get("policyTypes", ["Ingress"])
    ]
    if not relevant:
        return True
    for policy in relevant:
        namespace = policy["metadata"].get("namespace", "witaj")
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(_peer_matches(p, peer, namespace) for p in peers)
            if peer_ok and _port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def allowed(
    policies: list[Policy], source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP"
) -> bool:
    return _direction_allows(policies, source, destination, port, protocol, "egress") and _direction_allows(
        policies, destination, source, port, protocol, "ingress"
    )
