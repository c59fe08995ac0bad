"""The counsellors' side (the back office): profile, queue, claim, answer, ask back, hand over, close, report.

A counsellor first says what they answer (`PUT /cities/{city}/counselling/profile`: topics, and the
languages they read). The queue then holds the open questions they may answer, oldest first; every
question route answers 404 for a question outside their city, languages, topics or organisation
(`witaj.ask.access`). Suggested content for an answer comes from the content service's instant answers
for the question (`GET /cities/{city}/answers?q=...`), and an answer links to it by kind and id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from witaj.ask import access, rules
from witaj.ask.deps import ServicesDep, city_asking
from witaj.ask.rules import LIVE
from witaj.ask.schemas import (
    CounsellorClose,
    CounsellorMessageCreate,
    HandOver,
    OrganisationPublic,
    ProfilePublic,
    ProfileUpdate,
    QuestionForCounsellor,
    ReportCreate,
    State,
)
from witaj.ask.views import for_counsellor
from witaj.shared.auth import CurrentPrincipal, Principal
from witaj.shared.errors import ERROR_RESPONSES, ApiError
from witaj.shared.languages import is_known
from witaj.shared.web import Page, Pagination

router = APIRouter(prefix="/cities/{city}/counselling", tags=["counselling"], responses=ERROR_RESPONSES)


async def _profile(services: Any, principal: Principal, city: str) -> dict[str, Any]:
    """The counsellor's profile in this city; a 409 telling them to set one up first."""
    access.require_counsellor(principal, city)
    profile = await services.store.profile(city, principal.subject)
    if profile is None:
        raise ApiError(
            409,
            "profile_required",
            "Say first which topics you answer and which languages you read (PUT .../counselling/profile)",
        )
    return profile  # type: ignore[no-any-return]


async def _answerable(services: Any, principal: Principal, city: str, question_id: str) -> dict[str, Any]:
    city_asking(services, city)
    profile = await _profile(services, principal, city)
    question = await services.store.get(city, question_id)
    if question is not None and question["state"] not in {s.value for s in LIVE}:
        question = None  # at the instant-answer stage, or closed: not for counsellors
    return access.require_answerable(services.runtime.cities, principal, profile, question)


@router.get("/profile", summary="What you answer: topics and the languages you read")
async def get_profile(city: str, principal: CurrentPrincipal, services: ServicesDep) -> ProfilePublic:
    return ProfilePublic(**await _profile(services, principal, city))


@router.put("/profile", summary="Set what you answer")
async def put_profile(
    city: str, body: ProfileUpdate, principal: CurrentPrincipal, services: ServicesDep
) -> ProfilePublic:
    """Topics of the city's tree (a topic includes those under it; none: every topic) and the languages
    you read. Your organisation comes from your account."""
    city_asking(services, city)
    access.require_counsellor(principal, city)
    services.runtime.cities.check_topics(city, body.topics)
    saved = await services.store.save_profile(
        city, principal.subject, principal.organisation, body.model_dump()
    )
    return ProfilePublic(**saved)


def _below(services: Any, city: str, topics: list[str]) -> list[str]:
    """The profile's topics and every topic under them in the city's tree."""
    cities = services.runtime.cities
    tree = cities.topics(city) or frozenset(topics)
    return sorted({t for t in tree | set(topics) if set(cities.with_ancestors(city, [t])) & set(topics)})


@router.get("/queue", summary="Questions you may answer, oldest first")
async def queue(
    city: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    page: Pagination,
    state: Annotated[State, Query(description="open (default), awaiting_migrant or answered")] = State.OPEN,
    mine: Annotated[bool, Query(description="Only those you wrote in")] = False,
) -> Page[QuestionForCounsellor]:
    """Questions of your city in your languages and topics (and those handed over to your organisation),
    not reported, with machine drafts where the city allows them. A question claimed by a colleague
    shows their claim."""
    city_asking(services, city)
    profile = await _profile(services, principal, city)
    if state not in LIVE:
        raise ApiError(422, "not_a_queue", "The queue holds open, awaiting_migrant or answered questions")
    query: dict[str, Any] = {"city": city, "state": state.value, "language": {"$in": profile["languages"]}}
    conditions: list[dict[str, Any]] = []
    if profile.get("topics"):
        conditions.append(
            {"$or": [{"topic": None}, {"topic": {"$in": _below(services, city, profile["topics"])}}]}
        )
    if not principal.is_platform_admin:
        conditions.append({"$or": [{"organisation": None}, {"organisation": principal.organisation}]})
    if conditions:
        query["$and"] = conditions
    if mine:
        query["messages.by"] = principal.subject
    store = services.store
    total = await store.count(query)
    docs = await store.find(query, sort=[("asked_at", 1), ("_id", 1)], limit=page.limit, skip=page.offset)
    now = store.clock()
    return Page.of([for_counsellor(doc, principal, now) for doc in docs], total, page)


@router.get("/organisations", summary="Organisations with counsellors, to hand a question over to")
async def organisations(
    city: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    language: Annotated[
        str | None, Query(max_length=3, description="Only those reading this language")
    ] = None,
) -> list[OrganisationPublic]:
    city_asking(services, city)
    access.require_counsellor(principal, city)
    return [OrganisationPublic(**row) for row in await services.store.organisations(city, language)]


@router.get("/questions/{question_id}", summary="A question you may answer, with its thread")
async def read(
    city: str, question_id: str, principal: CurrentPrincipal, services: ServicesDep
) -> QuestionForCounsellor:
    question = await _answerable(services, principal, city, question_id)
    return for_counsellor(question, principal, services.store.clock())


async def _apply(
    services: Any, principal: Principal, city: str, question_id: str, step: Any
) -> QuestionForCounsellor:
    """Check the counsellor may answer the question, then apply `step` to it as stored."""
    await _answerable(services, principal, city, question_id)
    changed = await services.store.change(city, question_id, step)
    return for_counsellor(changed, principal, services.store.clock())


@router.post("/questions/{question_id}/claim", summary="Claim it while you write (colleagues wait)")
async def claim(
    city: str, question_id: str, principal: CurrentPrincipal, services: ServicesDep
) -> QuestionForCounsellor:
    options, now = services.options, services.store.clock()
    return await _apply(
        services, principal, city, question_id, lambda d: (rules.claim(d, principal, now, options), [])
    )


@router.delete("/questions/{question_id}/claim", summary="Give your claim up")
async def release(
    city: str, question_id: str, principal: CurrentPrincipal, services: ServicesDep
) -> QuestionForCounsellor:
    now = services.store.clock()
    return await _apply(
        services, principal, city, question_id, lambda d: (rules.release(d, principal, now), [])
    )


@router.post("/questions/{question_id}/messages", summary="Answer, or ask the migrant back")
async def write(
    city: str,
    question_id: str,
    body: CounsellorMessageCreate,
    principal: CurrentPrincipal,
    services: ServicesDep,
) -> QuestionForCounsellor:
    """The migrant is told in their inbox (and by e-mail if they confirmed one) that a counsellor wrote;
    the text itself stays here. `links` point to published content (kind and id)."""
    if body.language is not None and not is_known(body.language):
        raise ApiError(422, "unknown_language", f"'{body.language}' is not a language Witaj knows")
    options, now = services.options, services.store.clock()
    links = [link.model_dump(mode="json") for link in body.links]

    def step(doc: dict[str, Any]) -> Any:
        return rules.write(doc, principal, body.kind, body.text, body.language, links, now, options)

    return await _apply(services, principal, city, question_id, step)


@router.post("/questions/{question_id}/hand-over", summary="Hand it over to another organisation")
async def hand_over(
    city: str, question_id: str, body: HandOver, principal: CurrentPrincipal, services: ServicesDep
) -> dict[str, str]:
    """To an organisation of the city with a counsellor who reads the question's language (see
    `/organisations`). From then on only that organisation's counsellors see it."""
    question = await _answerable(services, principal, city, question_id)
    takers = await services.store.organisations(city, question["language"])
    if body.organisation not in {row["organisation"] for row in takers}:
        raise ApiError(
            422,
            "no_counsellor_there",
            f"No counsellor of '{body.organisation}' in {city} reads '{question['language']}'",
            details={"organisations": [row["organisation"] for row in takers]},
        )
    await services.store.change(city, question_id, lambda d: rules.hand_over(d, principal, body.organisation))
    return {"id": question_id, "organisation": body.organisation, "status": "handed_over"}


@router.post("/questions/{question_id}/close", summary="Close it (answered, or not to be answered)")
async def close(
    city: str,
    question_id: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    body: CounsellorClose | None = None,
) -> QuestionForCounsellor:
    options, now = services.options, services.store.clock()
    note = body.note if body else None
    return await _apply(
        services,
        principal,
        city,
        question_id,
        lambda d: rules.close_by_counsellor(d, principal, note, now, options),
    )


@router.post("/questions/{question_id}/report", summary="Report it as abusive (hidden from every queue)")
async def report(
    city: str, question_id: str, body: ReportCreate, principal: CurrentPrincipal, services: ServicesDep
) -> dict[str, str]:
    options, now = services.options, services.store.clock()
    await _apply(
        services,
        principal,
        city,
        question_id,
        lambda d: rules.report(d, principal, body.reason.value, now, options),
    )
    return {"id": question_id, "status": "reported"}
