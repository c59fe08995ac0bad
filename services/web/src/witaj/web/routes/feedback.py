"""What readers add to an item: 'was this helpful?' and 'suggest a correction or add a tip', on every item
page, each a form that posts and redirects back, or swaps in place.

Without JavaScript the form posts, and the reader is sent back to the item with the outcome in the
address (`?feedback=sent`, `?suggested=sent`), so reloading sends nothing twice. With htmx the same
route answers only the form's box. What the reader wrote goes to the content service: comments wait for
moderation, suggestions for the item's editors; approved comments and accepted tips are then shown under
the item (`items.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendNotFound, BackendRefused, BackendUnavailable
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.forms import clean_line
from witaj.web.pages import Reader
from witaj.web.routes.items import ITEM_ID, kind_of

router = APIRouter()
SUGGESTION_KINDS = ("correction", "tip")
MAX_SUGGESTION = 2_000
MAX_CREDIT = 40


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def item_of(reader: Reader, kind_path: str, item_id: str) -> None:
    """The item's address is one the city has, with readers' additions switched on; else not there."""
    kind_of(reader, kind_path)
    require(reader, Feature.FEEDBACK)
    if not ITEM_ID.match(item_id):
        raise PageNotFound("page", city=reader.city)


async def sent(reader: Reader, sending: Awaitable[None]) -> str:
    """The outcome of sending a reader's addition: 'sent', 'limited' (too many from this reader in a
    short time), or 'unavailable' (only for htmx: a whole page says so otherwise)."""
    try:
        await sending
    except BackendNotFound:
        raise PageNotFound("page", city=reader.city) from None
    except BackendRefused as refused:
        if refused.code != "rate_limited":
            raise
        return "limited"
    except BackendUnavailable:
        if not is_htmx(reader.request):
            raise
        return "unavailable"
    return "sent"


def answered(
    reader: Reader, kind_path: str, item_id: str, language: str, *, name: str, partial: str, outcome: str
) -> Response:
    """The box again (htmx), or the item's page with the outcome in the address and the box in view."""
    if is_htmx(reader.request):
        item = {"kind_path": kind_path, "id": item_id, "language": language}
        return reader.render(partial, item=item, **{name: outcome})
    anchor = "feedback" if name == "feedback" else "suggest"
    target = reader.path(kind_path, item_id) + f"?{name}={outcome}#{anchor}"
    return RedirectResponse(target, status_code=303)


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
    item_of(reader, kind_path, item_id)
    verdict = {"yes": True, "no": False}.get(helpful)
    text = comment.strip() or None
    language = language or reader.language
    outcome = "missing"
    if verdict is not None or text is not None:
        outcome = await sent(
            reader,
            web.content.give_feedback(
                reader.city.id, kind_path, item_id,
                language=language, helpful=verdict, comment=text, reader=reader.identity_headers(),
            ),
        )  # fmt: skip
    return answered(
        reader,
        kind_path,
        item_id,
        language,
        name="feedback",
        partial="partials/feedback.html",
        outcome=outcome,
    )


@router.post("/{city}/{lang}/{kind_path}/{item_id}/suggestions")
async def suggest(
    kind_path: str,
    item_id: str,
    reader: CityReader,
    web: WebDep,
    language: Annotated[str, Form(max_length=3)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    text: Annotated[str, Form(max_length=4 * MAX_SUGGESTION)] = "",
    credit: Annotated[str, Form(max_length=4 * MAX_CREDIT)] = "",
) -> Response:
    """A correction or a tip for the item's editors; if they accept it, the reader is credited by the
    name they chose here (none: not credited)."""
    assert reader.city is not None
    item_of(reader, kind_path, item_id)
    written = text.strip()
    language = language or reader.language
    if kind not in SUGGESTION_KINDS or not written:
        outcome = "missing"
    elif len(written) > MAX_SUGGESTION:
        outcome = "too_long"
    else:
        suggestion = {
            "kind": kind,
            "language": language,
            "text": written,
            "credit_as": clean_line(credit, MAX_CREDIT) or None,
        }
        outcome = await sent(
            reader,
            web.content.suggest(
                reader.city.id, kind_path, item_id, suggestion, reader=reader.identity_headers()
            ),
        )
    return answered(
        reader,
        kind_path,
        item_id,
        language,
        name="suggested",
        partial="partials/suggest.html",
        outcome=outcome,
    )
