"""Real objects of the demo city for the authorisation matrix, made through the services' own APIs by
their owners: an organisation's content items and events, registrations, device subscriptions with an
inbox message, pending comments, readers' suggestions, topics, migrants' questions and counsellors who
answer them. Every request the matrix sends is one their owner may send, so
a refusal can only be about who is asking, never about a missing object or a malformed body."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from witaj.devkit.testing import wait_until

CITY, OTHER_CITY = "lublin", "gdansk"
OWNER_ORG, OTHER_ORG = "matrix-owner", "matrix-other"
PAGE = {"title": "Mieszkanie", "summary": "Najem", "body": "Umowa **na piśmie**.", "user_types": ["worker"]}
KIND_BODIES: dict[str, dict[str, Any]] = {
    "pages": PAGE,
    "processes": {"title": "Meldunek", "steps": [{"title": "Wniosek", "description": "W urzędzie"}]},
    "glossary": {"title": "Meldunek", "definition": "Zgłoszenie miejsca pobytu"},
    "organisations": {"title": "Biuro", "address": "ul. Długa 1", "location": {"lat": 51.25, "lon": 22.57}},
    "practices": {"title": "Punkt informacyjny", "category": "information_point"},
}
CSV = b"sex,age_group,citizenship,value,numerator,denominator\ntotal,20-64,non_eu_citizens,61.5,1230,2000\n"
ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Witaj//matrix//EN\r
BEGIN:VEVENT\r
UID:matrix@witaj.example\r
SUMMARY:Spotkanie informacyjne\r
DTSTART:20300601T100000Z\r
DTEND:20300601T110000Z\r
LOCATION:ul. Długa 1, Lublin\r
END:VEVENT\r
END:VCALENDAR\r
""".encode()


@dataclass
class Request:
    """One prepared request: path parameters, query, body, and credentials it brings along (the
    registrant's or device's own token, another person's token) for the callers to use."""

    path: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


class World:
    def __init__(self, urls: dict[str, str], mint: Callable[..., str]) -> None:
        self.urls = urls
        self.mint = mint
        self.http = httpx.Client(timeout=30)
        self._counsellors: set[str] = set()

    def as_(
        self, *roles: str, city: str | None = CITY, org: str | None = None, sub: str | None = None
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.mint(*roles, city=city, org=org, sub=sub)}"}

    @property
    def owner(self) -> dict[str, str]:
        """The NGO editor whose organisation owns the matrix's content and events."""
        return self.as_("ngo_editor", org=OWNER_ORG)

    def call(
        self, service: str, method: str, path: str, request: Request, headers: dict[str, str]
    ) -> httpx.Response:
        url = self.urls[service] + path.replace(":kind", "").format(**request.path)
        return self.http.request(
            method, url, params=request.params, json=request.json, content=request.content,
            headers={**request.headers, **headers},
        )  # fmt: skip

    def ok(self, service: str, method: str, path: str, headers: dict[str, str], **body: Any) -> Any:
        response = self.http.request(method, self.urls[service] + path, headers=headers, **body)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    # ----------------------------------------------------------------------------------- content

    @property
    def city_editor(self) -> dict[str, str]:
        """A PA editor of the city, without an organisation: what it makes is city-owned."""
        return self.as_("pa_editor")

    def item(
        self, kind: str = "pages", *, publish: bool = False, by: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """A draft (or published) item: the organisation's, or the city's when made `by` a city editor."""
        base, by = f"/cities/{CITY}/workbench", by or self.owner
        item = self.ok("content", "POST", f"{base}/{kind}", by, json={"content": KIND_BODIES[kind]})
        for status in ("in_review", "published") if publish else ():
            self.ok("content", "POST", f"{base}/items/{item['id']}/status", by, json={"status": status})
        return item  # type: ignore[no-any-return]

    def pending_comment(self, by: dict[str, str] | None = None) -> str:
        item = self.item(publish=True, by=by)
        comment = {"language": "pl", "helpful": False, "comment": "Brakuje adresu"}
        self.ok("content", "POST", f"/cities/{CITY}/pages/{item['id']}/feedback", {}, json=comment)
        moderation, by = f"/cities/{CITY}/workbench/feedback/moderation", by or self.owner
        total = self.ok("content", "GET", moderation, by, params={"limit": 1})["total"]
        newest = self.ok("content", "GET", moderation, by, params={"limit": 50, "offset": max(0, total - 50)})
        return next(row["id"] for row in newest["items"] if row["item_id"] == item["id"])

    def xliff(
        self, item: dict[str, Any], by: dict[str, str] | None = None, service: str = "content"
    ) -> bytes:
        """An export into English holding the item (or, from the events service, the event), with every
        unit translated."""
        exported = self.http.get(
            f"{self.urls[service]}/cities/{CITY}/workbench/translations/en/xliff", headers=by or self.owner
        ).text
        start = exported.index(f'<file id="f{item["id"]}"')
        head, end = exported[: exported.index("<file ")], exported.index("</file>", start) + len("</file>")
        body = exported[start:end].replace("</source></segment>", "</source><target>Text</target></segment>")
        return (head + body + "</xliff>").encode()

    def topic(self) -> str:
        topic = f"m{uuid.uuid4().hex[:10]}"
        labels = {"pl": "Temat", "en": "Topic"}
        admin = self.as_("city_admin")
        self.ok(
            "content", "POST", f"/cities/{CITY}/workbench/topics", admin, json={"id": topic, "labels": labels}
        )
        return topic

    def suggestion(self, by: dict[str, str] | None = None) -> str:
        """A reader's tip on a published item (the organisation's, or the city's when made `by` a city
        editor), waiting for the item's editors."""
        item = self.item(publish=True, by=by)
        tip = {"kind": "tip", "language": "pl", "text": "Urząd przyjmuje teraz po umówieniu"}
        return str(
            self.ok("content", "POST", f"/cities/{CITY}/pages/{item['id']}/suggestions", {}, json=tip)["id"]
        )

    def city_config(self) -> dict[str, Any]:
        return self.ok("content", "GET", f"/cities/{CITY}", {})  # type: ignore[no-any-return]

    # ------------------------------------------------------------------------------------ events

    def event_body(self) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
        return {
            "kind": "workshop", "organisation": OWNER_ORG, "source_language": "pl", "capacity": 5,
            "texts": {"title": "Warsztaty CV"}, "place": {"address": "ul. Narutowicza 4, Lublin"},
            "schedule": {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()},
        }  # fmt: skip

    def event(self) -> dict[str, Any]:
        return self.ok("events", "POST", f"/cities/{CITY}/events", self.owner, json=self.event_body())  # type: ignore[no-any-return]

    def registration(self, event: dict[str, Any]) -> dict[str, Any]:
        body = {"occurrence": event["occurrences"][0]["occurrence"]}
        return self.ok("events", "POST", f"/cities/{CITY}/events/{event['id']}/registrations", {}, json=body)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------------------------ notify

    def subscription(self, **body: Any) -> dict[str, Any]:
        return self.ok("notify", "POST", "/subscriptions", {}, json={"city": CITY, **body})  # type: ignore[no-any-return]

    def inbox_message(self, subscription: dict[str, Any]) -> str:
        """A message in the subscription's inbox: a page published for everyone, fanned out to it."""
        self.item(publish=True)
        device = {"X-Subscriber-Token": subscription["token"]}

        def first() -> str | None:
            inbox = self.ok("notify", "GET", f"/subscriptions/{subscription['id']}/inbox", device)
            return str(inbox["items"][0]["id"]) if inbox["items"] else None

        return asyncio.run(wait_until(first, timeout=30, message="a message in the subscription's inbox"))

    # --------------------------------------------------------------------------------------- ask

    def counsellor(self, org: str = OWNER_ORG) -> dict[str, str]:
        """The counsellor of `org` who answers questions in Polish (the profile is set the first time)."""
        headers = self.as_("counsellor", org=org, sub=f"matrix-counsellor-{org}")
        if org not in self._counsellors:
            profile = {"languages": ["pl"], "topics": []}
            self.ok("ask", "PUT", f"/cities/{CITY}/counselling/profile", headers, json=profile)
            self._counsellors.add(org)
        return headers

    def question(self, *, send: bool = False, to: str | None = None, answer: bool = False) -> dict[str, Any]:
        """A migrant's question (with its token): at the instant-answer stage, or sent to the counsellors,
        handed over `to` an organisation by another's counsellor, and answered by one of `to`."""
        body = {"text": "Gdzie złożyć wniosek o kartę pobytu?", "language": "pl", "faq_consent": True}
        question = self.ok("ask", "POST", f"/cities/{CITY}/questions", {}, json=body)
        path, token = f"/cities/{CITY}/questions/{question['id']}", {"X-Question-Token": question["token"]}
        if send or to or answer:
            self.ok("ask", "POST", f"{path}/send", token)
        counselling = f"/cities/{CITY}/counselling/questions/{question['id']}"
        if to:
            self.counsellor(to)  # someone there reads the language
            other = next(org for org in (OWNER_ORG, OTHER_ORG) if org != to)
            self.ok(
                "ask", "POST", f"{counselling}/hand-over", self.counsellor(other), json={"organisation": to}
            )
        if answer:
            reply = {"kind": "answer", "text": "W urzędzie wojewódzkim"}
            self.ok("ask", "POST", f"{counselling}/messages", self.counsellor(to or OWNER_ORG), json=reply)
        return question  # type: ignore[no-any-return]
