"""City administration in the back office: the city's settings and its topic tree (city admins).

The settings page changes what the city offers: its name, country and time zone, the languages
readers can choose (and the default one), the fallback chain per language, and which parts of the
platform are switched on. The topic tree page lists every topic with its label in each of the city's
languages, says which labels are missing, and adds, renames, moves and removes topics. Both send the
revision the form was made from, so an administrator never overwrites another's change unknowingly.
After a change the web app asks for the city afresh, so migrants see it at once on this replica.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import CityConfig, Feature
from witaj.shared.languages import LANGUAGES
from witaj.web.clients.administration import CityAdministration, TopicTree
from witaj.web.clients.base import BackendRefused
from witaj.web.deps import PageNotFound
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.forms import field_id
from witaj.web.office.problems import Problems, describe, explain

router = APIRouter(prefix=PREFIX + "/{city}")
ALL_LANGUAGES = sorted(LANGUAGES, key=lambda code: LANGUAGES[code][0])
FEATURES = [f.value for f in Feature]
SETTINGS_FIELDS = {
    "name", "country", "timezone", "default_language", "languages", "fallbacks", "features", "privacy_threshold",
}  # fmt: skip
TOPIC_FIELDS = {"id", "parent", "labels"}
DONE = ("settings", "added", "changed", "removed")
ON_FIELD = {
    # a refusal's code: the input it concerns
    "topic_exists": "id",
    "unknown_parent": "parent",
    "topic_cycle": "parent",
    "too_deep": "parent",
    "unknown_language": "labels",
}
CODES = re.compile(r"[\s,;]+")


def _admin(desk: Desk) -> CityAdministration:
    if not desk.staff.may_administer(desk.city_id):
        raise NotYours(desk.city_id)
    return CityAdministration(desk.workbench)


def _done(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


def _problems(desk: Desk, refused: BackendRefused, known: set[str], label_of: Mapping[str, str]) -> Problems:
    """The API's refusal next to the input it concerns: its validation details by field, the topic
    tree's rules by code, anything else above the form."""
    if refused.status in (401, 403, 404):
        raise refused
    if refused.code == "validation_failed":
        details = refused.details if isinstance(refused.details, list) else []
        located = [_city_field(d) for d in details]
        refused = BackendRefused(refused.service, refused.status, refused.code, located)
        return explain(desk.t, refused, known, lambda path: label_of.get(path, ""))
    problems = Problems()
    target = ON_FIELD.get(refused.code)
    if target in known:
        problems.add(
            field_id(target), desk.t(f"office.city.problem.{refused.code}"), label_of.get(target, "")
        )
    elif refused.code.startswith("topic_"):
        problems.add(None, desk.t(f"office.city.problem.{refused.code}"))
    else:
        problems.add(None, describe(desk.t, refused))
    return problems


def _city_field(detail: Any) -> Any:
    """CityConfig's rules across fields name no field; their type says which input they concern."""
    if not isinstance(detail, dict):
        return detail
    kind = str(detail.get("type", ""))
    field = {
        "city_unknown_language": "languages",
        "city_languages_repeat": "languages",
        "city_default_not_offered": "default_language",
        "city_fallback_not_offered": "fallbacks",
    }.get(kind)
    return {**detail, "field": f"body.{field}"} if field else detail


# ------------------------------------------------------------------------------------------ settings


def settings_values(config: CityConfig) -> dict[str, Any]:
    """What the settings form shows for a configuration."""
    return {
        "name": config.name,
        "country": config.country,
        "timezone": config.timezone,
        "default_language": config.default_language,
        "languages": list(config.languages),
        "features": [f.value for f in config.features],
        "fallbacks": {source: ", ".join(chain) for source, chain in config.fallbacks.items()},
        "privacy_threshold": "" if config.privacy_threshold is None else str(config.privacy_threshold),
    }


def read_settings(config: CityConfig, form: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration a posted settings form describes (the API checks it). Languages keep their
    order: those offered already first, then the added ones; fallback rows of languages no longer
    offered are dropped with them."""
    getlist = getattr(form, "getlist", None)
    ticked = [v for v in (getlist("languages") if getlist else []) if isinstance(v, str)][: len(LANGUAGES)]
    languages = [c for c in config.languages if c in ticked] + [
        c for c in ALL_LANGUAGES if c in ticked and c not in config.languages
    ]
    features = [v for v in (getlist("features") if getlist else []) if v in FEATURES]
    fallbacks: dict[str, list[str]] = {}
    for source in ["*", *languages]:
        text = form.get(f"fallbacks.{source}")
        chain = [c for c in CODES.split(text.strip()) if c][:60] if isinstance(text, str) else []
        if chain:
            fallbacks[source] = chain
    return {
        "id": config.id,
        "name": _text(form, "name"),
        "country": _text(form, "country").upper(),
        "timezone": _text(form, "timezone"),
        "default_language": _text(form, "default_language"),
        "languages": languages,
        "fallbacks": fallbacks,
        "features": features,
        "privacy_threshold": _whole_number(_text(form, "privacy_threshold")),
    }


def _whole_number(text: str) -> int | str | None:
    """Empty: unset; digits: the number; anything else is sent as typed, for the API to say why not."""
    return int(text) if text.isdigit() and len(text) < 6 else (text or None)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip()[:300] if isinstance(value, str) else ""


def _revision(form: Mapping[str, Any]) -> int:
    text = str(form.get("revision", ""))
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _settings_labels(desk: Desk) -> dict[str, str]:
    return {name: desk.t(f"office.city.field.{name}") for name in SETTINGS_FIELDS}


async def settings_page(
    desk: Desk,
    *,
    values: dict[str, Any] | None = None,
    revision: int | None = None,
    problems: Problems | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    admin = _admin(desk)
    config, current = await admin.config(desk.token, desk.city_id)
    shown = values or settings_values(config)
    return desk.render(
        "office/city/settings.html", status=status, values=shown, revision=revision or current,
        problems=problems or Problems(), done=done, all_languages=ALL_LANGUAGES, features=FEATURES,
        fallback_rows=["*", *shown["languages"]], field_id=field_id,
    )  # fmt: skip


@router.get("/settings")
async def settings(desk: CityDesk, request: Request) -> HTMLResponse:
    return await settings_page(desk, done=_done(request))


@router.post("/settings")
async def save_settings(desk: CityDesk, request: Request) -> Response:
    admin = _admin(desk)
    config, _ = await admin.config(desk.token, desk.city_id)
    form = await request.form()
    body = read_settings(config, form)
    revision = _revision(form)
    try:
        await admin.save_config(desk.token, desk.city_id, body, revision=revision)
    except BackendRefused as refused:
        problems = _problems(desk, refused, SETTINGS_FIELDS, _settings_labels(desk))
        shown = {**body, "fallbacks": {s: ", ".join(c) for s, c in body["fallbacks"].items()}}
        for source in ["*", *body["languages"]]:  # what was typed, even what the API could not read
            typed = form.get(f"fallbacks.{source}")
            if isinstance(typed, str):
                shown["fallbacks"][source] = typed[:300]
        return await settings_page(
            desk, values=shown, revision=revision, problems=problems, status=refused.status
        )
    await desk.web.content.cities(afresh=True)  # migrants on this replica see the change at once
    return RedirectResponse(desk.here("settings", done="settings"), status_code=303)


# ------------------------------------------------------------------------------------------- topics


def _label(desk: Desk, labels: Mapping[str, str]) -> str:
    """A topic's name in the office's language, else the city's default, else any."""
    assert desk.city is not None
    for code in (desk.t.language, desk.city.default_language, *desk.city.languages):
        if labels.get(code):
            return labels[code]
    return next(iter(labels.values()), "")


def _read_topic(desk: Desk, form: Mapping[str, Any]) -> dict[str, Any]:
    assert desk.city is not None
    labels = {code: text for code in desk.city.languages if (text := _text(form, f"labels.{code}"))}
    return {"id": _text(form, "id"), "parent": _text(form, "parent") or None, "labels": labels}


def _topic_labels(desk: Desk) -> dict[str, str]:
    return {name: desk.t(f"office.city.topic.{name}") for name in TOPIC_FIELDS}


async def topics_page(
    desk: Desk,
    *,
    tree: TopicTree | None = None,
    values: dict[str, Any] | None = None,
    problems: Problems | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    admin = _admin(desk)
    tree = tree or await admin.tree(desk.token, desk.city_id)
    return desk.render(
        "office/city/topics.html", status=status, tree=tree, label=lambda t: _label(desk, t.labels),
        values=values or {"labels": {}}, problems=problems or Problems(), done=done, field_id=field_id,
    )  # fmt: skip


@router.get("/topics")
async def topics(desk: CityDesk, request: Request) -> HTMLResponse:
    return await topics_page(desk, done=_done(request))


@router.post("/topics")
async def add_topic(desk: CityDesk, request: Request) -> Response:
    admin = _admin(desk)
    form = await request.form()
    body = _read_topic(desk, form)
    try:
        await admin.add_topic(desk.token, desk.city_id, body, revision=_revision(form))
    except BackendRefused as refused:
        problems = _problems(desk, refused, TOPIC_FIELDS, _topic_labels(desk))
        return await topics_page(desk, values=body, problems=problems, status=refused.status)
    return RedirectResponse(desk.here("topics", done="added") + "#topic-" + body["id"], status_code=303)


async def topic_page(
    desk: Desk,
    topic_id: str,
    *,
    values: dict[str, Any] | None = None,
    problems: Problems | None = None,
    revision: int | None = None,
    status: int = 200,
) -> HTMLResponse:
    tree = await _admin(desk).tree(desk.token, desk.city_id)
    topic = tree.get(topic_id)
    if topic is None:
        raise PageNotFound("page", city=desk.city)
    below = tree.below(topic_id)
    parents = [(t, depth) for t, depth in tree.walk() if t.id not in below]
    return desk.render(
        "office/city/topic.html", status=status, topic=topic, tree=tree, parents=parents,
        label=lambda t: _label(desk, t.labels), revision=revision or tree.revision,
        values=values or {"parent": topic.parent, "labels": dict(topic.labels)},
        problems=problems or Problems(), field_id=field_id,
    )  # fmt: skip


@router.get("/topics/{topic_id}")
async def topic(topic_id: str, desk: CityDesk) -> HTMLResponse:
    return await topic_page(desk, topic_id)


@router.post("/topics/{topic_id}")
async def change_topic(topic_id: str, desk: CityDesk, request: Request) -> Response:
    admin = _admin(desk)
    form = await request.form()
    body = _read_topic(desk, form)
    change: dict[str, Any] = {"parent": body["parent"]}
    if body["labels"]:
        change["labels"] = body["labels"]
    revision = _revision(form)
    try:
        await admin.change_topic(desk.token, desk.city_id, topic_id, change, revision=revision)
    except BackendRefused as refused:
        problems = _problems(desk, refused, TOPIC_FIELDS, _topic_labels(desk))
        return await topic_page(
            desk, topic_id, values=body, problems=problems, revision=revision, status=refused.status
        )
    return RedirectResponse(desk.here("topics", done="changed") + "#topic-" + topic_id, status_code=303)


@router.post("/topics/{topic_id}/remove")
async def remove_topic(topic_id: str, desk: CityDesk, request: Request) -> Response:
    admin = _admin(desk)
    form = await request.form()
    revision = _revision(form)
    try:
        await admin.remove_topic(desk.token, desk.city_id, topic_id, revision=revision)
    except BackendRefused as refused:
        problems = _problems(desk, refused, set(), {})
        return await topic_page(desk, topic_id, problems=problems, revision=revision, status=refused.status)
    return RedirectResponse(desk.here("topics", done="removed"), status_code=303)
