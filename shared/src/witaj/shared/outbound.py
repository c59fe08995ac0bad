"""Requests to addresses that users chose (calendar URLs, webhooks), made so they cannot reach inside.

A URL a user may set must not make Witaj call its own network: the databases, the broker, another
service's admin routes, a cloud's metadata address (169.254.169.254). Every such request goes through
`OutboundClient`, which keeps these rules in one place:

- only `http` and `https` (or `https` alone), no user name or password in the URL;
- the host is resolved once for each connection and every address it resolves to is checked by
  `classify`: private, loopback, link-local, multicast, reserved and unspecified ranges are refused,
  for IPv4 and IPv6, IPv4 written inside IPv6 (mapped, compatible, 6to4, NAT64) included;
- the connection is made to the address that was checked, so DNS cannot answer differently a moment
  later; the Host header, TLS server name and certificate check still use the URL's name;
- redirects are followed one by one, each new target checked again, a few at most;
- one deadline covers everything (lookups, connections, redirects and the body), and the body is read
  in chunks and abandoned past a size cap;
- errors say what went wrong, never what the server answered.

Loopback addresses are allowed only by `OutboundSettings.allow_loopback`, for development and tests
where every server runs on 127.0.0.1; production settings refuse it. Requests to services the operator
configured (machine translation, the identity provider) do not come through here.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

import httpcore
import httpx
from pydantic import BaseModel, Field
from witaj.shared.errors import ApiError

Address = IPv4Address | IPv6Address
T = typing.TypeVar("T")
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""(host, port) -> the addresses to connect to, as text; raises OSError when the name does not resolve."""

PUBLIC = "public"
LOOPBACK = "loopback"
MAX_URL_LENGTH = 2000
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = IPv6Network("::/96")


class OutboundSettings(BaseModel):
    """Requests to URLs users set (calendar sources, webhooks)."""

    allow_loopback: bool = Field(
        default=False,
        description="Let user-set URLs reach 127.0.0.1 and ::1 (development and tests only; "
        "production refuses it)",
    )
    max_redirects: int = Field(default=3, ge=0, le=10, description="Redirects followed, each re-checked")


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for, when it is written inside it."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def classify(address: str | Address) -> str:
    """`PUBLIC`, `LOOPBACK`, or why the address is refused: 'unspecified', 'link-local', 'multicast',
    'reserved' or 'private' (which also covers every other range not routed on the internet)."""
    if isinstance(address, str):
        address = ip_address(address)
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return classify(embedded)
        if address in _IPV4_COMPATIBLE and int(address) > 1:
            return "reserved"  # deprecated IPv4-compatible form (::a.b.c.d)
        if address.is_site_local:
            return "private"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return LOOPBACK
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:
        return "private"
    return PUBLIC


def allowed(kind: str, *, allow_loopback: bool) -> bool:
    return kind == PUBLIC or (kind == LOOPBACK and allow_loopback)


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class OutboundError(ApiError):
    """A request to a user-set URL failed or was refused; the message never quotes the answer."""


class Refused(OutboundError):
    """The URL or the address it leads to is not allowed: asking again will not help."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(422, code, message)


class Failed(OutboundError):
    """The target could not be fetched this time (unreachable, too slow, too large, bad answer)."""


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Opens every TCP connection to an address it has just resolved and checked itself."""

    def __init__(self, client: OutboundClient) -> None:
        self._client = client
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._client.checked_addresses(host, port, fetching=True)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise self._client.refused("target_forbidden", "may only reach hosts on the internet")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on `_CheckedBackend` (httpx has no option for it)."""

    def __init__(self, backend: _CheckedBackend, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=backend,
        )


class OutboundClient:
    """Fetches and posts to user-set URLs by the rules above; `label` ('calendar', 'webhook') names the
    errors, whose codes read `invalid_<label>_url`, `<label>_target_forbidden`, `<label>_unreachable`...

    One client may serve many requests (connections are pooled per host, each checked when opened);
    close it with `aclose` or use it as an async context manager.
    """

    def __init__(
        self,
        label: str,
        settings: OutboundSettings,
        *,
        deadline: float,
        max_bytes: int = 1_000_000,
        require_https: bool = False,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = "Witaj/1",
    ) -> None:
        self.label = label
        self.allow_loopback = settings.allow_loopback
        self.max_redirects = settings.max_redirects
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.schemes = ("https",) if require_https else ("http", "https")
        self.resolver = resolver
        context = ssl_context or httpx.create_ssl_context()
        self.http = httpx.AsyncClient(
            transport=_CheckedTransport(_CheckedBackend(self), context),
            trust_env=False,
            follow_redirects=False,
            timeout=deadline,
            headers={"User-Agent": user_agent, "Accept-Encoding": "identity"},
        )

    async def __aenter__(self) -> OutboundClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def refused(self, code: str, message: str) -> Refused:
        return Refused(f"{self.label}_{code}", f"The {self.label} URL {message}")

    def failed(self, status: int, code: str, message: str) -> Failed:
        return Failed(status, f"{self.label}_{code}", f"The {self.label} URL {message}")

    def check_url(self, url: str) -> httpx.URL:
        """The URL, if its form is acceptable (scheme, host, port, no credentials); Refused otherwise."""
        invalid = f"invalid_{self.label}_url"
        wanted = " or ".join(self.schemes)
        if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
            raise Refused(invalid, f"The {self.label} URL must be one {wanted} address of at most "
                          f"{MAX_URL_LENGTH} characters, without spaces")  # fmt: skip
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
            parsed = httpx.URL(url)
        except (ValueError, httpx.InvalidURL):
            raise Refused(invalid, f"The {self.label} URL is not a valid address") from None
        if parts.scheme.lower() not in self.schemes or not parts.hostname or not parsed.host:
            raise Refused(invalid, f"The {self.label} URL must be an absolute {wanted} URL")
        if parts.username is not None or parts.password is not None:
            raise Refused(invalid, f"The {self.label} URL must not carry a user name or password")
        return parsed

    async def checked_addresses(self, host: str, port: int, *, fetching: bool = False) -> list[str]:
        """Every address `host` resolves to, if all of them are allowed; Refused if any is not.

        A name that does not resolve is refused when a URL is checked, and a failure that may pass
        when fetching."""
        try:
            addresses = [str(ip_address(host))]
        except ValueError:
            try:
                addresses = await self.resolver(host, port)
            except (OSError, UnicodeError):
                if fetching:
                    raise self.failed(
                        502, "unreachable", "could not be fetched: its host does not resolve"
                    ) from None
                raise self.refused("host_unresolvable", "host does not resolve") from None
        if not addresses:
            raise self.refused("host_unresolvable", "host does not resolve")
        for address in addresses:
            if not allowed(classify(address.split("%")[0]), allow_loopback=self.allow_loopback):
                raise self.refused(
                    "target_forbidden", "leads to a private, loopback, link-local or reserved address"
                )
        return addresses

    async def check(self, url: str) -> None:
        """What is checked before a URL is accepted (a 422 if not): its form and where it leads now.
        Each request checks again, since DNS may change."""
        parsed = self.check_url(url)
        try:
            async with asyncio.timeout(self.deadline):
                await self.checked_addresses(
                    parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)
                )
        except TimeoutError:
            raise self.refused("host_unresolvable", "host does not resolve") from None

    async def get(self, url: str) -> bytes:
        """The body of a 200 answer to GET, following redirects by the rules; OutboundError otherwise."""
        return await self._guarded(self._get(url))

    async def post(self, url: str, content: bytes, headers: dict[str, str]) -> int:
        """POST once and give the answer's status; redirects are not followed and the body is not read."""
        return await self._guarded(self._post(url, content, headers))

    async def _get(self, url: str) -> bytes:
        for hop in range(self.max_redirects + 1):
            self.check_url(url)
            async with self.http.stream("GET", url) as response:
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    if hop == self.max_redirects:
                        raise self.failed(
                            502, "unreachable", f"redirected more than {self.max_redirects} times"
                        )
                    try:
                        url = str(response.url.join(location))
                    except httpx.InvalidURL:
                        raise self.failed(502, "unreachable", "redirected to an invalid address") from None
                    continue
                if response.status_code != 200:
                    raise self.failed(502, "unreachable", f"answered {response.status_code}")
                return await self._read(response)
        raise AssertionError("the loop returns or raises")  # pragma: no cover

    async def _post(self, url: str, content: bytes, headers: dict[str, str]) -> int:
        self.check_url(url)
        async with self.http.stream("POST", url, content=content, headers=headers) as response:
            return response.status_code

    async def _guarded(self, work: Awaitable[T]) -> T:
        """One deadline for the whole request; transport errors become `Failed`, without the answer."""
        too_slow = f"did not answer in full within {self.deadline:g} seconds"
        try:
            async with asyncio.timeout(self.deadline):
                return await work
        except (TimeoutError, httpx.TimeoutException):
            raise self.failed(504, "timeout", too_slow) from None
        except httpx.HTTPError as exc:
            raise self.failed(502, "unreachable", f"could not be fetched ({type(exc).__name__})") from None

    async def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> Failed:
        return self.failed(413, "too_large", f"answered with more than {self.max_bytes} bytes")
