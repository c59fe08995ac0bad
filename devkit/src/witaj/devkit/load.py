"""Simulated Witaj users: mixed traffic on an open schedule, timed without coordinated omission.

Each user is a pseudonymous session with a language, a registration token and, once it subscribes, a
notify subscription. It plans each request a random think time after the *planned* start of its previous
one, not after the answer: when the platform stalls, the requests people would have sent meanwhile are
still sent (late), and their wait counts in their latency, as wrk2 and HdrHistogram correct for
coordinated omission. Service time (sent to answered) is kept beside it.

In fault tests the generator rides out a killed service as a client would. A request that never reached
the service (connection refused) is sent again. One whose answer was lost is sent again only where that
is safe: reads; status changes, which the APIs treat as idempotent; registrations, which carry an
`Idempotency-Key` with a token asked for ahead (the events service answers a repeat with the first
registration, even one still being stored when the client gave up); page drafts, after looking for their reference in the editor's listing. Subscriptions offer no such key, so a lost answer there is sent again and counted
as *ambiguous* (the service may now hold a subscription nobody knows the token of).
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from witaj.devkit.catalog import CITY, ORGANISATION, TOPICS, Catalog, Editor, sentence, words
from witaj.devkit.ledger import Ledger, Published, Report, RouteStats, Subscribed

MIX = {
    "page": 34,
    "search": 16,
    "events": 13,
    "event": 5,
    "register": 7,
    "subscribe": 5,
    "web_page": 14,
    "web_events": 6,
}
"""Relative weights of what users do: mostly reading, some booking, a few subscribing. A fifth of the
requests are the web app's pages (a page read, the events list), each of which calls the services in turn;
the rest come straight to the services' APIs, as a mobile app's would."""
API_MIX = {action: weight for action, weight in MIX.items() if not action.startswith("web_")}
"""The services' APIs only: tests that count what each read left in the statistics (the web app counts
its readers under its own pseudonymous session, not the simulated user's)."""

LANGUAGE_SHARE = {"uk": 35, "pl": 20, "en": 15, "ru": 15, "ar": 15}
SERVICE_OF = {"page": "content", "search": "content", "events": "events", "event": "events",
              "register": "events", "subscribe": "notify", "inbox": "notify", "web_page": "web",
              "web_events": "web"}  # fmt: skip
UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class User:
    rng: random.Random
    """What to read, search or book."""
    pace: random.Random
    """When, and which action: kept apart so a baseline run follows exactly the same schedule."""
    session: str
    language: str
    topics: list[str]
    registration_token: str | None = None
    """Asked of the events service before the first registration, so even that one is safe to resend."""
    subscription: tuple[str, str] | None = None
    booked: set[tuple[str, str | None]] = field(default_factory=set)
    seen: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def accept_language(self) -> str:
        return f"{self.language}, en;q=0.5"


class Load:
    """Run `users` simulated users (and optionally one editor publishing pages) for `duration` seconds.

    `baseline=True` sends every action to `/health` of the service it would have used, with the same
    users, schedule and connection pool: the same generator's cost on the cheapest endpoint there is.
    """

    def __init__(
        self,
        urls: dict[str, str],
        catalog: Catalog,
        *,
        users: int,
        duration: float,
        think: float = 1.0,
        seed: int = 1,
        retry_for: float = 0.0,
        editor_token: str | None = None,
        publish_every: float | None = None,
        baseline: bool = False,
        timeout: float = 30.0,
        ledger: Ledger | None = None,
        mix: dict[str, int] | None = None,
    ) -> None:
        self.urls = urls
        self.catalog = catalog
        self.users = users
        self.duration = duration
        self.think = think
        self.seed = seed
        self.retry_for = retry_for
        self.editor_token = editor_token
        self.publish_every = publish_every
        self.baseline = baseline
        self.timeout = timeout
        self.ledger = ledger or Ledger()
        self.mix = mix or MIX
        self.stats: dict[str, RouteStats] = {}
        self.in_flight: Counter[str] = Counter()
        """Requests per route sent and not yet answered (fault tests aim their kills with it)."""
        self.errors: list[str] = []
        self.stopping = asyncio.Event()
        self.client: httpx.AsyncClient | None = None
        self.overrun = max(10.0, duration / 2)
        """How long after the end requests still planned before it are sent, when the platform fell behind."""
        self.abandoned = 0
        self._ends = 0.0

    # --------------------------------------------------------------------------------- running

    async def run(self) -> Report:
        limits = httpx.Limits(max_connections=self.users + 8, max_keepalive_connections=self.users + 8)
        async with httpx.AsyncClient(limits=limits, timeout=self.timeout) as client:
            self.client = client
            started = time.monotonic()
            self._ends = started + self.duration
            rng = random.Random(self.seed)  # noqa: S311 - reproducible simulated people, not secrets
            tasks = [self._user(self._new_user(_child(rng), _child(rng)), started) for _ in range(self.users)]
            if self.publish_every and self.editor_token:
                tasks.append(self._editor(_child(rng), _child(rng), started))
            await asyncio.gather(*tasks)
            elapsed = time.monotonic() - started
        return Report(self.stats, elapsed, self.errors, self.abandoned)

    def answered(self) -> int:
        """Requests answered successfully so far (fault tests pace their kills by it)."""
        return sum(len(route.latency) for route in self.stats.values())

    def stop(self) -> None:
        """Start no new request (fault tests end the load when their checks are due)."""
        self.stopping.set()

    def _new_user(self, rng: random.Random, pace: random.Random) -> User:
        language = rng.choices(list(LANGUAGE_SHARE), weights=list(LANGUAGE_SHARE.values()))[0]
        user = User(
            rng=rng,
            pace=pace,
            session=secrets.token_urlsafe(12),
            language=language,
            topics=rng.sample(TOPICS, rng.choice((0, 1, 1, 2))),
        )
        return user

    async def _paced(self, rng: random.Random, started: float, interval: float, act: Any) -> None:
        """Call `act(planned_start)` on an open schedule with exponential gaps of mean `interval`."""
        planned = started + rng.uniform(0, interval)
        while planned < self._ends and not self.stopping.is_set():
            now = time.monotonic()
            if now > self._ends + self.overrun:
                self.abandoned += 1  # so far behind that the run would never end: count, do not send
            else:
                if planned > now:
                    await asyncio.sleep(planned - now)
                await act(planned)
            planned += rng.expovariate(1 / interval)

    async def _user(self, user: User, started: float) -> None:
        actions = list(self.mix)
        weights = list(self.mix.values())

        async def act(planned: float) -> None:
            action = user.pace.choices(actions, weights=weights)[0]
            if action == "subscribe" and user.subscription is not None:
                action = "inbox"
            if self.baseline:
                await self._call(action, planned, "GET", f"{self.urls[SERVICE_OF[action]]}/health")
            else:
                await getattr(self, f"_{action}")(user, planned)

        await self._paced(user.pace, started, self.think, act)

    async def _editor(self, rng: random.Random, pace: random.Random, started: float) -> None:
        assert self.publish_every is not None and self.editor_token is not None
        assert self.client is not None
        editor = Editor(self.client, self.urls["content"], self.urls["events"], self.editor_token)

        async def act(planned: float) -> None:
            if not self.baseline:
                return await self._publish(editor, rng, planned)
            health = f"{self.urls['content']}/health"
            for route in ("editor: create", "editor: status", "editor: status"):
                await self._call(
                    route, planned if route.endswith("create") else time.monotonic(), "GET", health
                )

        await self._paced(pace, started, self.publish_every, act)

    # --------------------------------------------------------------------------------- requests

    async def _call(
        self,
        route: str,
        planned: float,
        method: str,
        url: str,
        *,
        safe: bool = True,
        find: Callable[[], Awaitable[dict[str, Any] | None]] | None = None,
        **kwargs: Any,
    ) -> httpx.Response | None:
        """One logical request with the client's retries; None when it failed (and was counted)."""
        stats = self.stats.setdefault(route, RouteStats())
        sent = time.monotonic()
        give_up = sent + self.retry_for
        attempt = 0
        while True:
            response = await self._send(route, method, url, **kwargs)
            if isinstance(response, httpx.TransportError):
                if time.monotonic() > give_up:
                    self._failed(stats, route, f"{type(response).__name__}: {response}")
                    return None
                attempt += 1
                self.ledger.retried[route] += 1
                await asyncio.sleep(min(1.0, 0.05 * 2**attempt))
                if isinstance(response, UNSENT):
                    continue
                self.ledger.unanswered[route] += 1
                if safe:
                    continue
                if find is None:
                    self.ledger.ambiguous[route] += 1
                    continue
                found = await find()
                if found is None:
                    continue
                self.ledger.reconciled[route] += 1
                response = httpx.Response(200, json=found)
            done = time.monotonic()
            if response.status_code >= 400:
                self._failed(stats, route, f"{response.status_code} {response.text[:200]}")
                return None
            stats.latency.append(done - planned)
            stats.service.append(done - sent)
            return response

    async def _send(
        self, route: str, method: str, url: str, **kwargs: Any
    ) -> httpx.Response | httpx.TransportError:
        assert self.client is not None
        self.in_flight[route] += 1
        try:
            return await self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            return exc
        finally:
            self.in_flight[route] -= 1

    def _failed(self, stats: RouteStats, route: str, error: str) -> None:
        stats.errors += 1
        if len(self.errors) < 50:
            self.errors.append(f"{route}: {error}")

    async def _get_json(self, url: str, **kwargs: Any) -> Any:
        """A helper read for reconciling, retried until the service answers again."""
        assert self.client is not None
        deadline = time.monotonic() + max(self.retry_for, 5.0)
        while True:
            try:
                response = await self.client.get(url, **kwargs)
                response.raise_for_status()
                return response.json()
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    # --------------------------------------------------------------------------------- actions

    async def _page(self, user: User, planned: float) -> None:
        item = user.rng.choice(list(self.catalog.pages))
        headers = {"Accept-Language": user.accept_language, "X-Session-Id": user.session}
        url = f"{self.urls['content']}/cities/{CITY}/pages/{item}"
        if await self._call("page", planned, "GET", url, headers=headers):
            self.ledger.views.setdefault(item, []).append(time.monotonic())

    async def _web_page(self, user: User, planned: float) -> None:
        """A page as the web app renders it for a browser (its HTML, which reads the content API)."""
        item = user.rng.choice(list(self.catalog.pages))
        url = f"{self.urls['web']}/{CITY}/{user.language}/pages/{item}"
        await self._call("web_page", planned, "GET", url)

    async def _web_events(self, user: User, planned: float) -> None:
        """The web app's events list (it reads the events service and the city's topics)."""
        url = f"{self.urls['web']}/{CITY}/{user.language}/events"
        await self._call("web_events", planned, "GET", url)

    async def _search(self, user: User, planned: float) -> None:
        query = " ".join(user.rng.sample(words(user.language), user.rng.choice((1, 2))))
        headers = {"Accept-Language": user.accept_language, "X-Session-Id": user.session}
        url = f"{self.urls['content']}/cities/{CITY}/search"
        if await self._call("search", planned, "GET", url, params={"q": query}, headers=headers):
            self.ledger.searches.append(time.monotonic())

    async def _events(self, user: User, planned: float) -> None:
        params = {"limit": 20, "offset": user.rng.choice((0, 0, 0, 20))}
        url = f"{self.urls['events']}/cities/{CITY}/events"
        response = await self._call(
            "events", planned, "GET", url, params=params, headers={"Accept-Language": user.accept_language}
        )
        if response is not None:
            ours = set(self.catalog.events)
            user.seen = [
                (r["event_id"], r["occurrence"]) for r in response.json()["items"] if r["event_id"] in ours
            ]

    async def _event(self, user: User, planned: float) -> None:
        event = user.rng.choice(self.catalog.events)
        headers = {"Accept-Language": user.accept_language, "X-Session-Id": user.session}
        url = f"{self.urls['events']}/cities/{CITY}/events/{event}"
        if await self._call("event", planned, "GET", url, headers=headers):
            self.ledger.event_views.setdefault(event, []).append(time.monotonic())

    async def _register(self, user: User, planned: float) -> None:
        choices = [o for o in (user.seen or self.catalog.occurrences) if o not in user.booked]
        if not choices:
            return await self._page(user, planned)
        event, occurrence = user.rng.choice(choices)
        if user.registration_token is None:  # counted with registering: it is its first step
            url = f"{self.urls['events']}/cities/{CITY}/registration-tokens"
            issued = await self._call("register", planned, "POST", url)
            if issued is None:
                return None
            user.registration_token = issued.json()["token"]
            self.ledger.registration_tokens.add(user.registration_token)
        user.booked.add((event, occurrence))
        body: dict[str, Any] = {"occurrence": occurrence}
        headers = {"X-Registration-Token": user.registration_token}
        if user.subscription is not None:  # told of changes, proven with the subscription's own token
            body["subscriber"], headers["X-Subscriber-Token"] = user.subscription
        url = f"{self.urls['events']}/cities/{CITY}/events/{event}/registrations"
        # Resending with the same key returns the same registration, even if the first attempt is
        # still being processed when the client gives up on it.
        keyed = {**headers, "Idempotency-Key": secrets.token_urlsafe(12)}

        response = await self._call("register", planned, "POST", url, json=body, headers=keyed)
        if response is not None:
            self.ledger.registrations[response.json()["id"]] = (event, occurrence, user.registration_token)

    async def _subscribe(self, user: User, planned: float) -> None:
        body = {"city": CITY, "topics": user.topics, "language": user.language}
        url = f"{self.urls['notify']}/subscriptions"
        response = await self._call("subscribe", planned, "POST", url, json=body, safe=False)
        if response is not None:
            created = response.json()
            user.subscription = (created["id"], created["token"])
            self.ledger.subscriptions[created["id"]] = Subscribed(
                user.topics, created["token"], time.monotonic()
            )

    async def _inbox(self, user: User, planned: float) -> None:
        assert user.subscription is not None
        subscriber, token = user.subscription
        url = f"{self.urls['notify']}/subscriptions/{subscriber}/inbox"
        await self._call("inbox", planned, "GET", url, headers={"X-Subscriber-Token": token})

    async def _publish(self, editor: Editor, rng: random.Random, planned: float) -> None:
        """Create a page with a reference in its title, send it to review and publish it."""
        reference = uuid.uuid4().hex[:12]
        topics = rng.sample(TOPICS, rng.choice((1, 2)))
        body = editor.page_body(rng, f"{sentence(rng, 'pl', 3)} [{reference}]", topics)
        listing = f"{self.urls['content']}/cities/{CITY}/workbench/pages"

        async def find() -> dict[str, Any] | None:
            params = {"organisation": ORGANISATION, "status": "draft", "limit": 100}
            page = await self._get_json(listing, params=params, headers=editor.headers)
            return next((d for d in page["items"] if f"[{reference}]" in d["content"]["title"]), None)

        created = await self._call(
            "editor: create",
            planned,
            "POST",
            listing,
            json=body,
            headers=editor.headers,
            safe=False,
            find=find,
        )
        if created is None:
            return
        item = created.json()["id"]
        status = f"{self.urls['content']}/cities/{CITY}/workbench/items/{item}/status"
        for wanted in ("in_review", "published"):
            record = Published(topics, time.monotonic())
            if not await self._call(
                "editor: status",
                record.sent_at,
                "POST",
                status,
                json={"status": wanted},
                headers=editor.headers,
            ):
                return
        else:
            record.acked_at = time.monotonic()
            self.ledger.published[item] = record


def _child(rng: random.Random) -> random.Random:
    return random.Random(rng.random())  # noqa: S311 - reproducible simulated people, not secrets
