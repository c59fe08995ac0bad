"""The authorisation matrix's cases: for every mutating route, how to prepare a real object and a valid
request, who owns it, and who else of the same city must be refused; and the routes exempt from it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from .matrix_world import CITY, CSV, ICS, KIND_BODIES, OTHER_ORG, OWNER_ORG, Request, World

ROLES = (
    "migrant",
    "pa_editor",
    "ngo_editor",
    "translator",
    "counsellor",
    "analyst",
    "city_admin",
    "platform_admin",
)
Headers = Callable[[World, Request], dict[str, str]]
Caller = tuple[str, Headers]


# ---------------------------------------------------------------------------------------------- callers


def role(name: str, *, org: str | None = None) -> Caller:
    label = f"{name} of {CITY}" + (f" ({org})" if org else " (no organisation)")
    return label, lambda world, _: world.as_(name, org=org)


def token(header: str, secret: str) -> Caller:
    return f"another person's {header}", lambda _, request: {header: request.secrets[secret]}


LAY = (role("migrant"), role("analyst", org=OWNER_ORG))
OTHER_EDITORS = (role("ngo_editor", org=OTHER_ORG), role("ngo_editor"))
CONTENT_EDIT = (*LAY, *OTHER_EDITORS, role("translator", org=OWNER_ORG))
CONTENT_TRANSLATE = (*LAY, *OTHER_EDITORS)
EVENT_EDIT = (*CONTENT_EDIT, role("pa_editor", org=OTHER_ORG))
EVENT_TRANSLATE = (*CONTENT_TRANSLATE, role("pa_editor", org=OTHER_ORG))
NOT_ADMINS = (*LAY, role("pa_editor", org=OWNER_ORG), role("ngo_editor", org=OWNER_ORG), role("translator"))
ACCOUNTS = tuple(role(name, org=OWNER_ORG) for name in ROLES)  # a role is no key to someone's subscription
NOT_BROADCASTERS = (*LAY, role("ngo_editor", org=OWNER_ORG), role("ngo_editor"), role("translator"))
DATA_OUTSIDERS = (role("migrant"), role("pa_editor"), role("ngo_editor", org=OWNER_ORG), role("translator"))

OWNER: Headers = lambda world, _: world.owner  # noqa: E731 - the owning organisation's NGO editor


def as_role(name: str, *, city: str | None = CITY) -> Headers:
    return lambda world, _: world.as_(name, city=city)


def device(secret: str = "token") -> Headers:
    return lambda _, request: {"X-Subscriber-Token": request.secrets[secret]}


def counsellor_of(org: str) -> Caller:
    return f"counsellor of {CITY} ({org}), reading the question's language", lambda w, _: w.counsellor(org)


COUNSELLOR: Headers = lambda world, _: world.counsellor()  # noqa: E731 - of the organisation holding it
NOT_COUNSELLORS = (*LAY, role("translator", org=OWNER_ORG), role("counsellor"), role("ngo_editor"))
"""Of the same city, and no counsellors: no role that answers, or no organisation to answer for."""
QUESTION_TOKEN = "X-Question-Token"


# ------------------------------------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    prepare: Callable[[World], Request]
    owner: Headers
    outsiders: tuple[Caller, ...]
    owner_gets: frozenset[int] | None = frozenset()
    """What the owner is answered when it cannot be a success here (and why, beside the case); empty:
    2xx; None: the owner's request is not sent (its object was made by the owner in `prepare`)."""
    hidden_from: tuple[Caller, ...] = ()
    """Callers of the same city who do such things, but not with this object, and must not even learn
    that it exists: 404 (a question another organisation's counsellors have)."""


def _item(
    kind: str = "pages", *, city_owned: bool = False, language: str | None = None, **extra: object
) -> Callable[[World], Request]:
    def prepare(world: World) -> Request:
        item = world.item(kind, by=world.city_editor if city_owned else None)
        path = {"city": CITY, "item_id": item["id"], **({"language": language} if language else {})}
        return Request(path=path, **extra)  # type: ignore[arg-type]

    return prepare


def _comment(city_owned: bool) -> Callable[[World], Request]:
    def prepare(world: World) -> Request:
        comment = world.pending_comment(world.city_editor if city_owned else None)
        return Request(path={"city": CITY, "feedback_id": comment}, json={"decision": "approved"})

    return prepare


def _xliff(city_owned: bool) -> Callable[[World], Request]:
    def prepare(world: World) -> Request:
        by = world.city_editor if city_owned else None
        content = world.xliff(world.item(by=by), by=by)
        headers = {"Content-Type": "application/xliff+xml"}
        return Request(path={"city": CITY, "language": "en"}, content=content, headers=headers)

    return prepare


def for_items(
    prepare: Callable[[bool], Callable[[World], Request]],
    outsiders: tuple[Caller, ...],
    owner: Headers = OWNER,
    **options: object,
) -> tuple[Case, ...]:
    """The same route on an organisation's item, then on a city-owned one: an NGO editor without an
    organisation claim, or of another organisation, acts on neither; a city editor owns the second."""
    city_owner = owner if owner is not OWNER else as_role("pa_editor")
    return (
        Case(prepare(False), owner, outsiders, **options),  # type: ignore[arg-type]
        Case(prepare(True), city_owner, (*outsiders, role("ngo_editor", org=OWNER_ORG)), **options),  # type: ignore[arg-type]
    )  # fmt: skip


def _event(**extra: object) -> Callable[[World], Request]:
    def prepare(world: World) -> Request:
        event = world.event()
        path = {"city": CITY, "event_id": event["id"], "occurrence": event["occurrences"][0]["occurrence"]}
        return Request(path=path, **extra)  # type: ignore[arg-type]

    return prepare


def _registration(world: World) -> Request:
    event = world.event()
    mine, theirs = world.registration(event), world.registration(event)
    path = {"city": CITY, "event_id": event["id"], "registration_id": mine["id"]}
    return Request(
        path=path, json={"attended": True}, secrets={"token": mine["token"], "other": theirs["token"]}
    )


def _subscription(**body: object) -> Callable[[World], Request]:
    def prepare(world: World) -> Request:
        mine, theirs = world.subscription(**body), world.subscription()
        path = {"subscription_id": mine["id"]}
        return Request(
            path=path, json={"language": "en"}, secrets={"token": mine["token"], "other": theirs["token"]}
        )

    return prepare


def _inbox_message(world: World) -> Request:
    request = _subscription()(world)
    sub = {"id": request.path["subscription_id"], "token": request.secrets["token"]}
    request.path["message_id"] = world.inbox_message(sub)
    request.json = None
    return request


def _suggestion(city_owned: bool) -> Callable[[World], Request]:
    def prepare(world: World) -> Request:
        suggestion = world.suggestion(world.city_editor if city_owned else None)
        return Request(path={"city": CITY, "suggestion_id": suggestion}, json={"decision": "accepted"})

    return prepare


def _question(send: bool = False, **extra: object) -> Callable[[World], Request]:
    """A migrant's question, with its token and another question's."""

    def prepare(world: World) -> Request:
        mine, theirs = world.question(send=send), world.question()
        secrets = {"token": mine["token"], "other": theirs["token"]}
        return Request(path={"city": CITY, "question_id": mine["id"]}, secrets=secrets, **extra)  # type: ignore[arg-type]

    return prepare


def _counselling(answer: bool = False, **extra: object) -> Callable[[World], Request]:
    """A question sent to the counsellors and handed over to the owning organisation's."""

    def prepare(world: World) -> Request:
        question = world.question(to=OWNER_ORG, answer=answer)
        return Request(path={"city": CITY, "question_id": question["id"]}, **extra)  # type: ignore[arg-type]

    return prepare


def migrant_question(prepare: Callable[[World], Request]) -> Case:
    """A route of the migrant's own question: only its token opens it (no account, another question's
    token)."""
    return Case(
        prepare,
        lambda _, request: {QUESTION_TOKEN: request.secrets["token"]},
        (*ACCOUNTS, token(QUESTION_TOKEN, "other")),
    )


def counselling(prepare: Callable[[World], Request]) -> Case:
    """A counsellor's route on a question the owning organisation's counsellors have: those who do not
    counsel are refused, another organisation's counsellor is told nothing."""
    return Case(prepare, COUNSELLOR, NOT_COUNSELLORS, hidden_from=(counsellor_of(OTHER_ORG),))


def _calendar_source(world: World) -> Request:
    request = Request(path={"city": CITY, "name": "matrix"}, params={"organisation": OWNER_ORG})
    url = {"url": CALENDAR_URL}
    world.ok(
        "events",
        "PUT",
        f"/cities/{CITY}/calendar-sources/matrix",
        world.owner,
        params=request.params,
        json=url,
    )
    return request


def _topic(**extra: object) -> Callable[[World], Request]:
    return lambda world: Request(path={"city": CITY, "topic_id": world.topic()}, **extra)  # type: ignore[arg-type]


def _new_topic(world: World) -> Request:
    return Request(path={"city": CITY}, json={"id": f"n{world.topic()}", "labels": {"pl": "Nowy"}})


def _broadcast(*, keyed: bool = False) -> Callable[[World], Request]:
    """An urgent notice to the subscribers of a topic of the demo city's tree; sending it needs an
    Idempotency-Key (a new one each time, so the owner's request is a new broadcast)."""

    def prepare(_: World) -> Request:
        texts = {"pl": {"title": "Urząd nieczynny", "body": "Jutro urząd jest zamknięty."}}
        headers = {"Idempotency-Key": f"matrix-{uuid.uuid4().hex}"} if keyed else {}
        return Request(path={"city": CITY}, json={"topics": ["residence"], "texts": texts}, headers=headers)

    return prepare


WORKBENCH = "/cities/{city}/workbench"
CALENDAR_URL = "https://93.184.215.14/witaj/matrix.ics"
"""A public address as a literal: configuring it needs no name lookup, and nothing fetches it here."""
CASES: dict[tuple[str, str, str], Case | tuple[Case, ...]] = {
    # content: city configuration and topic tree (admins of the city)
    ("content", "POST", "/cities"): Case(
        lambda w: Request(json={**w.city_config(), "id": f"m{w.topic()}", "name": "Matrix"}),
        as_role("platform_admin", city=None),
        (*NOT_ADMINS, role("city_admin")),
    ),
    ("content", "PUT", "/cities/{city}"): Case(
        lambda w: Request(path={"city": CITY}, json=w.city_config()), as_role("city_admin"), NOT_ADMINS
    ),
    ("content", "POST", f"{WORKBENCH}/topics"): Case(_new_topic, as_role("city_admin"), NOT_ADMINS),
    ("content", "PATCH", f"{WORKBENCH}/topics/{{topic_id}}"): Case(
        _topic(json={"labels": {"en": "Renamed"}}), as_role("city_admin"), NOT_ADMINS
    ),
    ("content", "DELETE", f"{WORKBENCH}/topics/{{topic_id}}"): Case(
        _topic(), as_role("city_admin"), NOT_ADMINS
    ),
    # content: an organisation's items, then the same on city-owned items (see `for_items`)
    ("content", "POST", f"{WORKBENCH}/items/{{item_id}}/status"): for_items(
        lambda c: _item(city_owned=c, json={"status": "in_review"}), CONTENT_EDIT
    ),
    ("content", "PUT", f"{WORKBENCH}/items/{{item_id}}/translations/{{language}}"): for_items(
        lambda c: _item(city_owned=c, language="en", json={"state": "draft", "fields": {"title": "A flat"}}),
        CONTENT_TRANSLATE,
        as_role("translator"),
    ),
    ("content", "POST", f"{WORKBENCH}/items/{{item_id}}/translations/{{language}}/machine-draft"): for_items(
        lambda c: _item(city_owned=c, language="en", json={}),
        CONTENT_TRANSLATE,
        owner_gets=frozenset({404}),  # the demo city has machine translation switched off
    ),
    ("content", "POST", f"{WORKBENCH}/translations/{{language}}/xliff"): for_items(_xliff, CONTENT_TRANSLATE),
    ("content", "POST", f"{WORKBENCH}/feedback/moderation/{{feedback_id}}"): for_items(
        _comment, CONTENT_TRANSLATE
    ),
    **{
        ("content", "POST", f"{WORKBENCH}/{kind}"): (
            Case(
                (
                    lambda body: (
                        lambda _: Request(
                            path={"city": CITY}, json={"content": body, "organisation": OWNER_ORG}
                        )
                    )
                )(body),
                OWNER,
                CONTENT_EDIT,
            ),
        )
        for kind, body in KIND_BODIES.items()
    },
    **{
        ("content", "PUT", f"{WORKBENCH}/{kind}/{{item_id}}"): for_items(
            (lambda kind, body: lambda c: _item(kind, city_owned=c, json={"content": body}))(kind, body),
            CONTENT_EDIT,
        )
        for kind, body in KIND_BODIES.items()
    },
    # content: the editors' live preview stores nothing, but shows a draft's rendering only to editorial staff
    **{
        ("content", "POST", f"{WORKBENCH}/preview/{kind}"): Case(
            (lambda body: lambda _: Request(path={"city": CITY}, json={"content": body, "language": "pl"}))(
                body
            ),
            OWNER,
            (*LAY, role("ngo_editor")),
        )
        for kind, body in KIND_BODIES.items()
    },
    # events: an organisation's events, their registrations and calendars
    ("events", "POST", "/cities/{city}/events"): Case(
        lambda w: Request(path={"city": CITY}, json=w.event_body()), OWNER, EVENT_EDIT
    ),
    ("events", "PUT", "/cities/{city}/events/{event_id}"): Case(
        lambda w: _event(json=w.event_body())(w), OWNER, EVENT_EDIT
    ),
    ("events", "PUT", "/cities/{city}/events/{event_id}/translations/{language}"): Case(
        lambda w: Request(
            path={**_event()(w).path, "language": "en"}, json={"state": "draft", "texts": {"title": "CV"}}
        ),
        as_role("translator"),
        EVENT_TRANSLATE,
    ),
    ("events", "PATCH", "/cities/{city}/events/{event_id}/occurrences/{occurrence}"): Case(
        _event(json={"note": "Sala 2"}), OWNER, EVENT_EDIT
    ),
    ("events", "POST", "/cities/{city}/events/{event_id}/cancel"): Case(_event(), OWNER, EVENT_EDIT),
    ("events", "POST", "/cities/{city}/workbench/translations/{language}/xliff"): Case(
        lambda w: Request(
            path={"city": CITY, "language": "en"},
            content=w.xliff(w.event(), service="events"),
            headers={"Content-Type": "application/xliff+xml"},
        ),
        OWNER,
        EVENT_TRANSLATE,
    ),
    ("events", "PUT", "/cities/{city}/events/{event_id}/registrations/{registration_id}/attendance"): Case(
        _registration, OWNER, EVENT_EDIT
    ),
    ("events", "DELETE", "/cities/{city}/registrations/{registration_id}"): Case(
        _registration,
        lambda _, request: {"X-Registration-Token": request.secrets["token"]},
        (*EVENT_EDIT, token("X-Registration-Token", "other")),
    ),
    ("events", "POST", "/cities/{city}/events/import"): Case(
        lambda _: Request(
            path={"city": CITY},
            params={"organisation": OWNER_ORG},
            content=ICS,
            headers={"Content-Type": "text/calendar"},
        ),
        OWNER,
        EVENT_EDIT,
    ),
    ("events", "PUT", "/cities/{city}/calendar-sources/{name}"): Case(
        lambda _: Request(
            path={"city": CITY, "name": "matrix"},
            params={"organisation": OWNER_ORG},
            json={"url": CALENDAR_URL},
        ),
        OWNER,
        EVENT_EDIT,
    ),
    ("events", "POST", "/cities/{city}/calendar-sources/{name}/import"): Case(
        _calendar_source,
        OWNER,
        EVENT_EDIT,
        owner_gets=None,  # the owner's import would fetch the calendar from the Internet: not sent here
    ),
    ("content", "POST", f"{WORKBENCH}/suggestions/{{suggestion_id}}/decision"): for_items(
        _suggestion, CONTENT_EDIT
    ),
    # ask: the migrant's question, by its own token only
    ("ask", "PATCH", "/cities/{city}/questions/{question_id}"): migrant_question(
        _question(json={"faq_consent": False})
    ),
    ("ask", "POST", "/cities/{city}/questions/{question_id}/send"): migrant_question(_question()),
    ("ask", "POST", "/cities/{city}/questions/{question_id}/replies"): migrant_question(
        _question(send=True, json={"text": "Mam jeszcze jedno pytanie"})
    ),
    ("ask", "POST", "/cities/{city}/questions/{question_id}/close"): migrant_question(
        _question(json={"answered": True})
    ),
    ("ask", "DELETE", "/cities/{city}/questions/{question_id}"): migrant_question(_question()),
    # ask: counsellors of the city, on the questions they may answer
    ("ask", "PUT", "/cities/{city}/counselling/profile"): Case(
        lambda _: Request(path={"city": CITY}, json={"languages": ["pl", "uk"], "topics": []}),
        role("counsellor", org=OWNER_ORG)[1],  # anyone who counsels says what they answer
        NOT_COUNSELLORS,
    ),
    ("ask", "POST", "/cities/{city}/counselling/questions/{question_id}/claim"): counselling(_counselling()),
    ("ask", "DELETE", "/cities/{city}/counselling/questions/{question_id}/claim"): counselling(
        _counselling()
    ),
    ("ask", "POST", "/cities/{city}/counselling/questions/{question_id}/messages"): counselling(
        _counselling(json={"kind": "answer", "text": "W urzędzie wojewódzkim"})
    ),
    ("ask", "POST", "/cities/{city}/counselling/questions/{question_id}/hand-over"): counselling(
        _counselling(json={"organisation": OTHER_ORG})
    ),
    ("ask", "POST", "/cities/{city}/counselling/questions/{question_id}/close"): counselling(
        _counselling(json={"note": "Odpowiedziane"})
    ),
    ("ask", "POST", "/cities/{city}/counselling/questions/{question_id}/report"): counselling(
        _counselling(json={"reason": "spam"})
    ),
    ("ask", "POST", "/cities/{city}/counselling/questions/{question_id}/faq"): Case(
        _counselling(answer=True, json={"item_id": "faq-matrix"}),
        OWNER,  # an editor of the organisation that answered it
        (*LAY, role("translator", org=OWNER_ORG), role("counsellor", org=OWNER_ORG), role("ngo_editor")),
        hidden_from=(role("ngo_editor", org=OTHER_ORG),),
    ),
    # notify: a device's subscription, by its own token only
    ("notify", "PATCH", "/subscriptions/{subscription_id}"): Case(
        _subscription(), device(), (*ACCOUNTS, token("X-Subscriber-Token", "other"))
    ),
    ("notify", "DELETE", "/subscriptions/{subscription_id}"): Case(
        _subscription(), device(), (*ACCOUNTS, token("X-Subscriber-Token", "other"))
    ),
    ("notify", "POST", "/subscriptions/{subscription_id}/email-confirmation"): Case(
        _subscription(channels=["email"], email="matrix@example.org"),
        device(),
        (*ACCOUNTS, token("X-Subscriber-Token", "other")),
    ),
    ("notify", "POST", "/subscriptions/{subscription_id}/inbox/{message_id}/read"): Case(
        _inbox_message, device(), (*ACCOUNTS, token("X-Subscriber-Token", "other"))
    ),
    # notify: a city's urgent notices, by its PA editors and admins
    ("notify", "POST", "/cities/{city}/broadcasts/preview"): Case(
        _broadcast(), as_role("pa_editor"), NOT_BROADCASTERS
    ),
    ("notify", "POST", "/cities/{city}/broadcasts"): Case(
        _broadcast(keyed=True), as_role("city_admin"), NOT_BROADCASTERS
    ),
    # stats: a city's datasets and district boundaries (its analysts and admins) and its open data (its admins)
    ("stats", "POST", "/cities/{city}/indicators/{code}/datasets"): Case(
        lambda _: Request(
            path={"city": CITY, "code": "employment_rate"},
            params={"period": "2025"},
            content=CSV,
            headers={"Content-Type": "text/csv"},
        ),
        as_role("analyst"),
        DATA_OUTSIDERS,
    ),
    ("stats", "PUT", "/cities/{city}/districts"): Case(
        lambda _: Request(
            path={"city": CITY},
            json={
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "matrix-centre", "name": "Centre"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[22.5, 51.2], [22.6, 51.2], [22.6, 51.3], [22.5, 51.2]]],
                        },
                    }
                ],
            },
        ),
        as_role("analyst"),
        DATA_OUTSIDERS,
    ),
    ("stats", "PUT", "/cities/{city}/open-data"): Case(
        lambda _: Request(path={"city": CITY}, json={"metrics": [], "indicators": []}),
        as_role("city_admin"),
        (*DATA_OUTSIDERS, role("analyst")),
    ),
}

EXEMPT: dict[tuple[str, str, str], str] = {
    # Public writes: anyone may make them without an account, rate limited per caller.
    ("content", "POST", "/cities/{city}/{kind_path}/{item_id}/feedback"): "readers rate published items",
    ("content", "POST", "/cities/{city}/gaps"): "readers report a search that found nothing",
    ("events", "POST", "/cities/{city}/events/{event_id}/registrations"): "anyone registers for an event",
    ("events", "POST", "/cities/{city}/registration-tokens"): "a token to register with, before registering",
    ("notify", "POST", "/subscriptions"): "anyone subscribes a device",
    ("content", "POST", "/cities/{city}/{kind_path}/{item_id}/suggestions"): "readers suggest and add tips",
    ("ask", "POST", "/cities/{city}/questions"): "migrants ask without an account",
    # Public writes whose URL is the credential: only the holder of the e-mailed link can use it.
    ("notify", "POST", "/unsubscribe/{token}"): "one-click unsubscribe from an e-mail",
    ("notify", "POST", "/email-confirmations/{token}"): "confirming an address from the e-mail's link",
}
