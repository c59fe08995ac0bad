"""Urgent notices in the back office: a city's PA editors and admins write one to the subscribers of
some topics or target groups, check what each language's readers will get and how many they are, then
send it (notify's broadcasts, `witaj.notify.broadcasts`); and the list of what was sent.

Three steps on one address, each a form that posts (no JavaScript needed): write, preview, send. The
preview shows each language's text as notify renders it (in its own `lang` and `dir`), how many
subscribers get it and how many of them read a language that has no text yet. "Send" needs a ticked
confirmation, since the notice reaches people at once, also at night. Everything typed travels in the
forms (nothing is kept between the steps); the form's key goes to notify as the `Idempotency-Key`, so
sending the same form again (a double click, the answer lost) sends one notice.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.broadcasts import LIST_SIZE, BroadcastClient, Preview
from witaj.web.deps import PageNotFound
from witaj.web.i18n import babel_locale, native_name
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.forms import USER_TYPES, field_id
from witaj.web.office.problems import KINDS, Problems, describe
from witaj.web.routes.office.editing import city_topics

router = APIRouter(prefix=PREFIX + "/{city}/broadcasts")
KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")
ID = re.compile(r"^b[0-9a-f]{31}$")
TITLE_MAX, BODY_MAX = 200, 2_000
"""notify's limits, so the inputs stop where the API would refuse."""
CONFIRM = "confirm"


@dataclass
class Notice:
    """What the forms hold: who gets the notice, its text per language, and the form's key."""

    topics: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    def body(self) -> dict[str, Any]:
        """The request notify takes: a language is in it once either of its inputs has text."""
        written = [code for code, title in self.titles.items() if title or self.bodies.get(code)]
        return {
            "topics": self.topics,
            "target_groups": self.groups,
            "texts": {
                code: {"title": self.titles[code], "body": self.bodies.get(code, "")} for code in written
            },
        }


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def read(form: Any, languages: list[str]) -> Notice:
    """A posted form as a notice; only the city's languages and known groups are read."""
    key = form.get("key")
    return Notice(
        topics=[t for t in form.getlist("topic") if isinstance(t, str) and len(t) <= 40][:30],
        groups=[g for g in form.getlist("group") if g in USER_TYPES],
        titles={code: _text(form, f"title.{code}") for code in languages},
        bodies={code: _text(form, f"body.{code}") for code in languages},
        key=key if isinstance(key, str) and KEY.match(key) else uuid.uuid4().hex,
    )


def _may_broadcast(desk: Desk) -> None:
    assert desk.city is not None
    if not desk.staff.may_broadcast(desk.city_id):
        raise NotYours(desk.city_id)
    if not desk.city.has(Feature.NOTIFICATIONS):
        raise PageNotFound("switched_off", city=desk.city, feature=Feature.NOTIFICATIONS.value)


def _languages(desk: Desk) -> list[str]:
    """The city's languages, its default first (the one every notice needs)."""
    assert desk.city is not None
    default = desk.city.default_language
    return [default, *(code for code in desk.city.languages if code != default)]


# ------------------------------------------------------------------------------------------- problems


def _input(path: str, desk: Desk) -> str | None:
    """The input a problem of notify's concerns ('texts.ar.title'), by its place in the request."""
    assert desk.city is not None
    parts = path.removeprefix("body.").split(".")
    if parts[0] in ("topics", "target_groups"):
        return "topics"
    if parts[0] == "texts":
        language = (
            parts[1] if len(parts) > 1 and parts[1] in desk.city.languages else desk.city.default_language
        )
        part = parts[2] if len(parts) > 2 and parts[2] in ("title", "body") else "title"
        return f"texts.{language}.{part}"
    return None


def language_label(desk: Desk, code: str) -> str:
    """A language's name in the office's language ('rosyjski'), else in its own ('دری')."""
    return babel_locale(desk.t.language).languages.get(code) or native_name(code)


def _label(desk: Desk, path: str) -> str:
    if path == "topics":
        return desk.t("office.broadcast.who")
    _, language, part = path.split(".")
    return f"{desk.t(f'office.broadcast.{part}')} ({language_label(desk, language)})"


WORDS = {"audience_required": "office.broadcast.error.audience"}
"""notify's own kinds of problem and the office's words for them (the rest are pydantic's: `KINDS`)."""


def explain(desk: Desk, refused: BackendRefused) -> Problems:
    """notify's refusal next to the inputs concerned, in the office's language."""
    problems = Problems()
    details = refused.details if isinstance(refused.details, list) else []
    if refused.code in ("validation_failed", "audience_required", "default_language_required"):
        for detail in details[:50]:
            if not isinstance(detail, dict):
                continue
            target = _input(str(detail.get("field", "")), desk)
            kind = str(detail.get("type", ""))
            key = WORDS.get(kind) or f"office.error.{KINDS.get(kind, 'invalid')}"
            if refused.code == "default_language_required":
                language = language_label(desk, desk.city.default_language) if desk.city else ""
                message = desk.t("office.broadcast.error.default_language", language=language)
            else:
                message = desk.t(key)
            problems.add(
                field_id(target) if target else None, message, _label(desk, target) if target else ""
            )
        if problems:
            return problems
    if "topic" in refused.code:
        problems.add(field_id("topics"), desk.t("office.error.topics"), _label(desk, "topics"))
        return problems
    problems.add(None, describe(desk.t, refused))
    return problems


def _render(desk: Desk, template: str, **context: Any) -> HTMLResponse:
    return desk.render(template, language_label=lambda code: language_label(desk, code), **context)


def _client(desk: Desk) -> BroadcastClient:
    assert desk.office is not None
    return desk.office.broadcasts


# ---------------------------------------------------------------------------------------------- pages


async def _form(
    desk: Desk, notice: Notice, *, problems: Problems | None = None, status: int = 200
) -> HTMLResponse:
    return _render(
        desk,
        "office/broadcasts/new.html",
        status=status,
        notice=notice,
        languages=_languages(desk),
        topics=await city_topics(desk),
        groups=USER_TYPES,
        problems=problems or Problems(),
        field_id=field_id,
        title_max=TITLE_MAX,
        body_max=BODY_MAX,
    )


async def _preview_page(
    desk: Desk, notice: Notice, preview: Preview, *, problems: Problems | None = None, status: int = 200
) -> HTMLResponse:
    labels = {topic_id: label for topic_id, label, _ in await city_topics(desk)}
    return _render(
        desk,
        "office/broadcasts/preview.html",
        status=status,
        notice=notice,
        preview=preview,
        topic_labels=labels,
        languages=_languages(desk),
        problems=problems or Problems(),
        confirm_id=CONFIRM,
    )


@router.get("")
async def sent(desk: CityDesk, page: Annotated[int, Query(ge=1, le=1000)] = 1) -> HTMLResponse:
    _may_broadcast(desk)
    listing = await _client(desk).listing(desk.token, desk.city_id, offset=(page - 1) * LIST_SIZE)
    pages = max(1, math.ceil(listing.total / LIST_SIZE))
    labels = {topic_id: label for topic_id, label, _ in await city_topics(desk)}
    return _render(
        desk,
        "office/broadcasts/list.html",
        listing=listing,
        page=min(page, pages),
        pages=pages,
        topic_labels=labels,
    )


@router.get("/new")
async def new(desk: CityDesk) -> HTMLResponse:
    _may_broadcast(desk)
    return await _form(desk, Notice())


@router.post("/new")
async def step(desk: CityDesk, request: Request) -> Response:
    """Every button of the two forms: back to writing, preview, send."""
    _may_broadcast(desk)
    form = await request.form()
    notice = read(form, _languages(desk))
    intent = str(form.get("intent", "preview"))
    if intent == "edit":
        return await _form(desk, notice)
    try:
        if intent != "send":
            preview = await _client(desk).preview(desk.token, desk.city_id, notice.body())
            return await _preview_page(desk, notice, preview)
        if form.get(CONFIRM) != "yes":
            preview = await _client(desk).preview(desk.token, desk.city_id, notice.body())
            problems = Problems()
            problems.add(
                CONFIRM, desk.t("office.broadcast.error.confirm"), desk.t("office.broadcast.confirm_label")
            )
            return await _preview_page(desk, notice, preview, problems=problems, status=422)
        broadcast = await _client(desk).send_notice(desk.token, desk.city_id, notice.body(), key=notice.key)
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        if refused.code == "idempotency_key_reused":  # this form sent another notice before: start anew
            notice.key = uuid.uuid4().hex
        return await _form(desk, notice, problems=explain(desk, refused), status=refused.status)
    return RedirectResponse(desk.here("broadcasts", broadcast.id, done="sent"), status_code=303)


@router.get("/{broadcast_id}")
async def one(
    broadcast_id: str, desk: CityDesk, done: Annotated[str, Query(max_length=10)] = ""
) -> HTMLResponse:
    _may_broadcast(desk)
    if not ID.match(broadcast_id):
        raise PageNotFound("page", city=desk.city)
    broadcast = await _client(desk).one(desk.token, desk.city_id, broadcast_id)
    labels = {topic_id: label for topic_id, label, _ in await city_topics(desk)}
    return _render(
        desk,
        "office/broadcasts/one.html",
        broadcast=broadcast,
        done=done == "sent",
        topic_labels=labels,
        languages=[code for code in _languages(desk) if code in broadcast.texts]
        + [code for code in broadcast.texts if code not in _languages(desk)],
    )
