"""Who sent a request, behind proxies that append to `X-Forwarded-For`.

Each proxy in front of a service (the gateway, the ingress controller, later the web app) appends the
address it received the request from to `X-Forwarded-For`. Only the entries added by proxies we trust
mean anything: whatever a client sent itself sits further left and is free text. So the client is the
right-most address that is not a trusted proxy, reading leftwards from the connection's own peer, and
only while every hop so far was trusted. When the connection's peer is not a trusted proxy, the header
is ignored and the peer is the client.

uvicorn's own proxy handling is switched off (`serve_forever`): with `forwarded_allow_ips="*"`, which is
how this used to be deployed, it takes the left-most entry, the one any client can write.
`ForwardedClient` does the same work as plain ASGI middleware, so the rate limits (`witaj.shared.ratelimit`)
and anything else reading `request.client` see the address the trusted proxies saw.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_HOPS = 32
"""Entries of X-Forwarded-For read at most, from the right: no real chain of proxies is longer."""


def parse_network(value: str) -> Network:
    """A trusted proxy's address or network (CIDR); everything ('*', 0.0.0.0/0) is refused."""
    text = value.strip()
    if text == "*":
        raise ValueError("'*' would trust any client's own X-Forwarded-For; name the proxies' addresses")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address or network (CIDR)") from None
    if network.prefixlen == 0:
        raise ValueError(f"{value!r} trusts every address; name the proxies' addresses or network")
    return network


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def host_of(hop: str) -> str:
    """The host of one X-Forwarded-For entry: '203.0.113.7', '203.0.113.7:5678', '[2001:db8::1]:443'."""
    hop = hop.strip()
    if hop.startswith("["):
        end = hop.find("]")
        return hop[1:end] if end > 0 else hop
    if hop.count(":") == 1:  # IPv4 with a port; bare IPv6 has several colons
        return hop.split(":", 1)[0]
    return hop


class TrustedProxies:
    """The proxies whose X-Forwarded-For entries are believed (addresses or networks)."""

    def __init__(self, proxies: Iterable[str]) -> None:
        self.networks: tuple[Network, ...] = tuple(parse_network(p) for p in proxies)
        self.trusts = functools.lru_cache(maxsize=1024)(self._trusts)

    def _trusts(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str | None:
        """The client's address: `peer` (the connection's other end) unless it is a trusted proxy; then
        the right-most X-Forwarded-For entry that is not one (the left-most if every entry is)."""
        if peer is None or not self.trusts(peer):
            return peer
        hops = [host_of(h) for value in forwarded_for for h in value.split(",")]
        hops = [h for h in hops if h][-MAX_HOPS:]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else peer


class ForwardedClient:
    """Sets the request's client (and scheme) from the headers of trusted proxies only."""

    def __init__(self, app: ASGIApp, *, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            if peer and self.proxies.trusts(peer[0]):
                forwarded: list[str] = []
                proto = None
                for name, value in scope.get("headers", ()):
                    if name == b"x-forwarded-for":
                        forwarded.append(value.decode("latin-1"))
                    elif name == b"x-forwarded-proto":
                        proto = value.decode("latin-1").strip().lower()
                client = self.proxies.client(peer[0], forwarded)
                if client != peer[0]:
                    scope["client"] = (client, 0)
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")
        await self.app(scope, receive, send)
