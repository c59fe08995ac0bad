"""Readers' feedback in the back office: helpfulness per item and language, and the moderation queue.

Editors see how many readers found each item helpful in each language (a low score in one language
often means a poor translation), and decide on each comment waiting in the queue, oldest first.
An NGO editor sees only the feedback on their organisation's items (the API filters it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.moderation import FeedbackDesk
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.problems import Problems, describe

router = APIRouter(prefix=PREFIX + "/{city}")
DECISIONS = ("approved", "rejected")


def _feedback(desk: Desk) -> FeedbackDesk:
    if not desk.staff.may_create(desk.city_id):  # the city's editors and organisations' editors
        raise NotYours(desk.city_id)
    return FeedbackDesk(desk.workbench)


async def feedback_page(
    desk: Desk,
    *,
    offset: int = 0,
    done: str | None = None,
    problems: Problems | None = None,
    status: int = 200,
) -> HTMLResponse:
    feedback = _feedback(desk)
    scores = await feedback.scores(desk.token, desk.city_id)
    queue = await feedback.queue(desk.token, desk.city_id, offset=offset)
    for row in scores:
        rated = row["helpful"] + row["not_helpful"]
        row["share"] = round(100 * row["helpful"] / rated) if rated else None
    return desk.render(
        "office/feedback/feedback.html", status=status, scores=scores, queue=queue, done=done,
        problems=problems or Problems(),
    )  # fmt: skip


@router.get("/feedback")
async def feedback(
    desk: CityDesk,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    done: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    return await feedback_page(desk, offset=offset, done=done if done in DECISIONS else None)


@router.post("/feedback/{feedback_id}")
async def decide(feedback_id: str, desk: CityDesk, request: Request) -> Response:
    feedback = _feedback(desk)
    form = await request.form()
    decision = str(form.get("decision", ""))
    try:
        if decision not in DECISIONS:
            raise BackendRefused("content", 422, "bad_request")
        await feedback.decide(desk.token, desk.city_id, feedback_id[:100], decision)
    except BackendRefused as refused:
        if refused.status in (401, 403):
            raise
        problems = Problems()
        problems.add(
            None, desk.t("office.feedback.gone") if refused.status == 404 else describe(desk.t, refused)
        )
        return await feedback_page(desk, problems=problems, status=refused.status)
    return RedirectResponse(desk.here("feedback", done=decision), status_code=303)
