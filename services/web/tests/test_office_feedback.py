"""Readers' feedback in the back office: a reader's comment waits in the moderation queue, an editor
approves it, and the helpfulness of the item in that language is counted; on the real content API."""

from __future__ import annotations

import re
import uuid

import httpx
from office_helpers import form_token, sign_in, text_of
from web_helpers import reader_address

ITEM = "/lublin/en/pages/lublin-renting"


async def leave_comment(web_url: str, comment: str) -> None:
    """As a reader of the migrant app, with an address of their own."""
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as reader:
        page = await reader.get(ITEM)
        form = {"csrf_token": form_token(page), "language": "en", "helpful": "no", "comment": comment}
        assert (await reader.post(f"{ITEM}/feedback", data=form)).status_code == 303


async def test_an_editor_approves_a_readers_comment(web, web_url, identity_provider) -> None:
    comment = f"Is the deposit refundable? {uuid.uuid4().hex[:6]}"
    await leave_comment(web_url, comment)
    await sign_in(web, identity_provider, "pa_editor")

    # The queue is oldest first, 20 to a page, and other tests leave comments in the city: page on.
    entry = None
    for offset in range(0, 400, 20):
        page = await web.get("/office/lublin/feedback", params={"offset": offset})
        assert page.status_code == 200
        entry = re.search(
            rf'<li class="moderation__comment" id="comment-([^"]+)">(?:(?!</li>).)*{re.escape(comment)}',
            page.text,
            re.S,
        )
        if entry or "moderation__comment" not in page.text:
            break
    assert entry, "the comment is in the queue"
    scores = re.search(
        r'href="/office/lublin/items/lublin-renting"[^<]*</a></th>\s*<td><span lang="en">', page.text
    )
    assert scores, "the item's helpfulness in English is listed"

    feedback_id = entry.group(1)
    decided = await web.post(
        f"/office/lublin/feedback/{feedback_id}",
        data={"csrf_token": form_token(page), "decision": "approved"},
    )
    assert decided.status_code == 303 and decided.headers["location"].endswith("/feedback?done=approved")
    after = await web.get(decided.headers["location"])
    assert "The comment is approved" in text_of(after) and comment not in after.text

    again = await web.post(
        f"/office/lublin/feedback/{feedback_id}",
        data={"csrf_token": form_token(after), "decision": "rejected"},
    )
    assert again.status_code == 404 and "was decided on meanwhile" in text_of(again)


async def test_a_decision_that_is_neither_approve_nor_reject_is_refused(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "pa_editor")
    page = await web.get("/office/lublin/feedback")
    odd = await web.post(
        "/office/lublin/feedback/x", data={"csrf_token": form_token(page), "decision": "maybe"}
    )
    assert odd.status_code == 422 and "error-summary" in odd.text
