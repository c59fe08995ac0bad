"""'Was this helpful?' on every item page: a form that posts and redirects back, or swaps in place.

Without JavaScript the form posts, and the reader is sent back to the item with the outcome in the
address (`?feedback=sent`), so reloading sends nothing twice. With htmx the same route answers only the
feedback box. What the reader wrote goes to the content service, which keeps comments for moderation.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendNotFound, BackendRefused, BackendUnavailable
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.routes.items import ITEM_ID, kind_of

router = APIRouter()


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.post("/{city}/{lang}/{kind_path}/{item_id}/feedback")
async def give_feedback(
    kind_path: str,
    item_id: str,
    reader: CityReader,
    web: WebDep,
    language: Annotated[str, Form(max_length=3)] = "",
    helpful: Annotated[str, Form(max_length=3)] = "",
    comment: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    assert reader.city is not None
    kind_of(reader, kind_path)
    require(reader, Feature.FEEDBACK)
    if not ITEM_ID.match(item_id):
        raise PageNotFound("page", city=reader.city)
    verdict = {"yes": True, "no": False}.get(helpful)
    text = comment.strip() or None
    outcome = "sent"
    if verdict is None and text is None:
        outcome = "missing"
    else:
        try:
            await web.content.give_feedback(
                reader.city.id, kind_path, item_id,
                language=language or reader.language, helpful=verdict, comment=text,
                reader=reader.identity_headers(),
            )  # fmt: skip
        except BackendNotFound:
            raise PageNotFound("page", city=reader.city) from None
        except BackendRefused as refused:
            if refused.code != "rate_limited":
                raise
            outcome = "limited"
        except BackendUnavailable:
            if not is_htmx(reader.request):
                raise
            outcome = "unavailable"
    if is_htmx(reader.request):
        item = {"kind_path": kind_path, "id": item_id, "language": language or reader.language}
        return reader.render("partials/feedback.html", item=item, feedback=outcome)
    target = reader.path(kind_path, item_id) + f"?feedback={outcome}#feedback"
    return RedirectResponse(target, status_code=303)
