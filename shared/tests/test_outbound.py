"""Requests to user-set URLs: which addresses are refused, and that fetching keeps to the rules.

The servers are real sockets on 127.0.0.1; only DNS is stood in for (a resolver that maps test names
to addresses), since a test cannot make real names resolve to private addresses.
"""

from __future__ import annotations

import asyncio
import datetime
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from witaj.shared.outbound import (
    LOOPBACK,
    PUBLIC,
    Failed,
    OutboundClient,
    OutboundError,
    OutboundSettings,
    Refused,
    classify,
)
from witaj.shared.settings import Environment, ServiceSettings

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, str], Awaitable[None]]
SECRET = b"INTERNAL-SECRET-7f3a"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("93.184.216.34", PUBLIC),
        ("2606:4700:4700::1111", PUBLIC),
        ("127.0.0.1", LOOPBACK),
        ("127.8.9.10", LOOPBACK),
        ("::1", LOOPBACK),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # shared address space (carrier-grade NAT)
        ("198.18.0.1", "private"),  # benchmarking
        ("192.0.2.1", "private"),  # documentation
        ("fd00::1", "private"),  # unique local
        ("fec0::1", "private"),  # site-local (deprecated, still not public)
        ("2001:db8::1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("0.1.2.3", "private"),
        # IPv4 written inside IPv6: judged by the IPv4 address it stands for
        ("::ffff:127.0.0.1", LOOPBACK),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:93.184.216.34", PUBLIC),
        ("::10.0.0.1", "reserved"),  # IPv4-compatible, deprecated
        ("::93.184.216.34", "reserved"),
        ("2002:0a00:0001::1", "private"),  # 6to4 of 10.0.0.1
        ("2002:7f00:0001::", LOOPBACK),  # 6to4 of 127.0.0.1
        ("2002:5db8:d822::1", PUBLIC),  # 6to4 of 93.184.216.34
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("64:ff9b::c0a8:0101", "private"),  # NAT64 of 192.168.1.1
        ("64:ff9b::5db8:d822", PUBLIC),  # NAT64 of 93.184.216.34
        ("64:ff9b:1::a00:1", "reserved"),  # local-use NAT64 prefix
        ("2001::1", "private"),  # Teredo
    ],
)
def test_addresses_are_classified_with_ipv4_inside_ipv6_unwrapped(address: str, kind: str) -> None:
    assert classify(address) == kind


def resolver_for(names: dict[str, list[str]], calls: list[str] | None = None):
    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in names:
            raise OSError("name does not resolve")
        return names[host]

    return resolve


def client(names: dict[str, list[str]] | None = None, *, loopback: bool = True, **options) -> OutboundClient:
    options.setdefault("deadline", 5.0)
    calls = options.pop("calls", None)
    return OutboundClient(
        "calendar",
        OutboundSettings(allow_loopback=loopback, max_redirects=options.pop("max_redirects", 3)),
        resolver=resolver_for(names or {}, calls),
        **options,
    )


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://[::1/", "invalid_calendar_url"),
        ("ftp://calendar.example/x.ics", "invalid_calendar_url"),
        ("file:///etc/passwd", "invalid_calendar_url"),
        ("http://user:secret@calendar.example/x.ics", "invalid_calendar_url"),
        ("http://calendar.example:99999/x.ics", "invalid_calendar_url"),
        ("http://calendar example/x.ics", "invalid_calendar_url"),
        ("/relative.ics", "invalid_calendar_url"),
        ("http://intranet.example/x.ics", "calendar_target_forbidden"),  # DNS answers a private address
        ("http://mixed.example/x.ics", "calendar_target_forbidden"),  # one record of two is private
        ("http://mapped.example/x.ics", "calendar_target_forbidden"),  # ::ffff:10.0.0.1
        ("http://10.0.0.1/x.ics", "calendar_target_forbidden"),
        ("http://[::ffff:a9fe:a9fe]/latest/meta-data", "calendar_target_forbidden"),
        ("http://0.0.0.0:8080/", "calendar_target_forbidden"),
        ("http://2130706433/", "calendar_target_forbidden"),  # 127.0.0.1 written as a number
        ("http://localhost/x.ics", "calendar_target_forbidden"),
        ("http://nowhere.example/x.ics", "calendar_host_unresolvable"),
    ],
)
async def test_urls_leading_inside_are_refused_before_anything_is_sent(url: str, code: str) -> None:
    names = {
        "intranet.example": ["10.20.30.40"],
        "mixed.example": ["93.184.216.34", "192.168.0.7"],
        "mapped.example": ["::ffff:10.0.0.1"],
        "localhost": ["127.0.0.1"],
        "2130706433": ["127.0.0.1"],
    }
    async with client(names, loopback=False) as outbound:
        with pytest.raises(Refused) as refused:
            await outbound.check(url)
        assert refused.value.code == code and refused.value.status == 422
        with pytest.raises(OutboundError):  # a name that does not resolve may resolve later: a failure
            await outbound.get(url)


async def test_a_public_name_is_accepted_and_loopback_only_when_allowed() -> None:
    names = {"calendar.example": ["93.184.216.34"], "localhost": ["127.0.0.1", "::1"]}
    async with client(names, loopback=False) as outbound:
        await outbound.check("https://calendar.example/feed.ics")
        with pytest.raises(Refused):
            await outbound.check("http://localhost:8000/feed.ics")
    async with client(names, loopback=True) as outbound:
        await outbound.check("http://localhost:8000/feed.ics")
        with pytest.raises(Refused):  # still refused: 0.0.0.0 reaches every local service
            await outbound.check("http://0.0.0.0:8000/feed.ics")


def test_production_refuses_loopback_targets() -> None:
    from witaj.events.settings import EventsSettings

    production = ServiceSettings(environment=Environment.PRODUCTION)
    safe = {
        "service": production,
        "mongo": {"url": "mongodb://db.example:27017"},
        "auth": {"issuer": "https://login.example/realms/witaj"},
        "kafka": {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": "witaj-events",
            "sasl_password": "from-a-secret",
        },
    }
    EventsSettings(**safe)
    with pytest.raises(ValueError, match=r"outbound\.allow_loopback"):
        EventsSettings(**safe, outbound=OutboundSettings(allow_loopback=True))


@asynccontextmanager
async def http_server(handle: Handler, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """A real HTTP/1.1 server on 127.0.0.1 whose answers `handle` writes; yields its port."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            await handle(reader, writer, head)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=ssl_context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    async def handle(_: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str) -> None:
        lines = [f"HTTP/1.1 {status} X", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in ({"Content-Length": str(len(body))} | (headers or {})).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()

    return handle


async def test_the_connection_goes_to_the_checked_address_with_the_name_kept() -> None:
    """DNS is asked once per connection, and that answer is where the request goes: a name that would
    resolve elsewhere on a second lookup (DNS rebinding) never gets that second lookup."""
    seen: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str) -> None:
        seen.append(head)
        await answer(200, b"BEGIN:VCALENDAR")(reader, writer, head)

    calls: list[str] = []
    async with http_server(handle) as port:
        names = {"calendar.test": ["127.0.0.1"]}
        async with client(names, calls=calls) as outbound:
            assert await outbound.get(f"http://calendar.test:{port}/feed.ics") == b"BEGIN:VCALENDAR"
    assert calls == ["calendar.test"]
    assert f"host: calendar.test:{port}" in seen[0].lower()


async def test_redirects_are_rechecked_and_limited() -> None:
    names = {"inside.test": ["10.9.8.7"], "calendar.test": ["127.0.0.1"]}
    async with http_server(answer(302, headers={"Location": "http://inside.test/admin"})) as port:
        async with client(names) as outbound:
            with pytest.raises(Refused) as refused:
                await outbound.get(f"http://calendar.test:{port}/feed.ics")
            assert refused.value.code == "calendar_target_forbidden"
    async with http_server(answer(301, headers={"Location": "http://[::ffff:169.254.169.254]/"})) as port:
        async with client(names) as outbound:
            with pytest.raises(Refused):
                await outbound.get(f"http://127.0.0.1:{port}/feed.ics")
    async with http_server(answer(307, headers={"Location": "gopher://calendar.test/"})) as port:
        async with client(names) as outbound:
            with pytest.raises(Refused) as refused:
                await outbound.get(f"http://127.0.0.1:{port}/feed.ics")
            assert refused.value.code == "invalid_calendar_url"

    hops: list[str] = []

    async def loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str) -> None:
        hops.append(head.split()[1])
        await answer(302, headers={"Location": f"/hop{len(hops)}"})(reader, writer, head)

    async with http_server(loop) as port:
        async with client(names, max_redirects=2) as outbound:
            with pytest.raises(Failed) as failed:
                await outbound.get(f"http://127.0.0.1:{port}/start")
    assert failed.value.code == "calendar_unreachable" and "redirected more than 2" in failed.value.message
    assert hops == ["/start", "/hop1", "/hop2"]


async def test_a_redirect_to_an_allowed_address_is_followed() -> None:
    async with http_server(answer(200, b"moved here")) as target:
        where = {"Location": f"http://calendar.test:{target}/new.ics"}
        async with http_server(answer(308, headers=where)) as port:
            async with client({"calendar.test": ["127.0.0.1"]}) as outbound:
                assert await outbound.get(f"http://127.0.0.1:{port}/old.ics") == b"moved here"


async def test_the_body_is_abandoned_past_the_size_cap() -> None:
    """The server streams without end and without a length: only the cap can stop the read."""

    async def endless(_: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        while True:
            writer.write(b"x" * 65536)
            await writer.drain()

    async with http_server(endless) as port:
        async with client(max_bytes=200_000, deadline=30) as outbound:
            with pytest.raises(Failed) as failed:
                await outbound.get(f"http://127.0.0.1:{port}/big")
    assert failed.value.status == 413 and failed.value.code == "calendar_too_large"

    declared = answer(200, b"", {"Content-Length": "999999999"})
    async with http_server(declared) as port:
        async with client(max_bytes=1000) as outbound:
            with pytest.raises(Failed, match="more than 1000 bytes"):
                await outbound.get(f"http://127.0.0.1:{port}/big")


async def test_one_deadline_covers_a_server_that_trickles() -> None:
    """A byte at a time keeps every single read within its timeout; the total deadline still ends it."""

    async def trickle(_: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while True:
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.05)

    async with http_server(trickle) as port:
        async with client(deadline=0.5) as outbound:
            with pytest.raises(Failed) as failed:
                await outbound.get(f"http://127.0.0.1:{port}/slow")
    assert failed.value.status == 504 and failed.value.code == "calendar_timeout"


async def test_errors_never_quote_what_the_server_answered() -> None:
    secret = SECRET.decode()
    cases = [
        answer(500, SECRET),
        answer(404, SECRET, {"X-Reason": secret}),
        answer(302, SECRET, {"Location": f"http://10.0.0.1/{secret}"}),
        answer(200, SECRET * 100),
    ]
    for handle in cases:
        async with http_server(handle) as port:
            async with client(max_bytes=100) as outbound:
                with pytest.raises((Failed, Refused)) as error:
                    await outbound.get(f"http://127.0.0.1:{port}/")
        assert secret not in str(error.value.body())


async def test_post_does_not_follow_redirects_nor_read_the_answer() -> None:
    requests: list[str] = []

    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: str) -> None:
        requests.append(head.split()[1])
        await answer(307, b"x" * 10_000_000, {"Location": "/elsewhere"})(reader, writer, head)

    async with http_server(redirect) as port:
        async with client(max_bytes=100) as outbound:
            status = await outbound.post(f"http://127.0.0.1:{port}/hook", b"{}", {})
    assert status == 307 and requests == ["/hook"]


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(pem)
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return tmp_path / "cert.pem", tmp_path / "key.pem", pem


async def test_tls_names_the_host_while_connecting_to_the_checked_address(tmp_path: Path) -> None:
    """SNI and certificate verification use the URL's name, though the socket goes to the address."""
    cert, key, pem = _certificate(tmp_path, "calendar.test")
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    server_names: list[str | None] = []
    server_side.sni_callback = lambda _sock, name, _ctx: server_names.append(name)  # type: ignore[assignment,func-returns-value]
    trusting = ssl.create_default_context(cadata=pem.decode())

    names = {"calendar.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    async with http_server(answer(200, b"secure calendar"), server_side) as port:
        async with client(names, ssl_context=trusting) as outbound:
            assert await outbound.get(f"https://calendar.test:{port}/feed.ics") == b"secure calendar"
            with pytest.raises(Failed):  # the certificate does not name other.test: refused as it should
                await outbound.get(f"https://other.test:{port}/feed.ics")
    assert server_names[0] == "calendar.test"
