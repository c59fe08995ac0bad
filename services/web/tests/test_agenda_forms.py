"""Registering, the waiting list and cancelling, over HTTP on the real platform, as readers without an
account: the token the events service hands out stays in an HttpOnly cookie and never in an address."""

from __future__ import annotations

import asyncio
import re

import httpx
from agenda_helpers import (
    create_event,
    event_body,
    form_key_of,
    organiser,
    patient,
    small_weekly_group,
    token_of,
    unique,
)
from web_helpers import reader_address, web_settings
from witaj.devkit.testing import serve
from witaj.web.main import create_app

RESIDENCE = "/lublin/en/events/demo-residence-permits"


def registration_form(page: httpx.Response, **values: str) -> dict[str, str]:
    occurrence = re.search(r'name="occurrence" value="([^"]+)"', page.text)
    form = {
        "csrf_token": token_of(page),
        "key": form_key_of(page),
        "occurrence": occurrence.group(1) if occurrence else "",
    }
    return {**form, **values}


def submit_label(page: httpx.Response) -> str:
    return re.findall(r'<button type="submit" class="button">([^<]+)</button>', page.text)[-1]  # type: ignore[no-any-return]


def cookie_header(answer: httpx.Response, name: str) -> str:
    found = [v for v in answer.headers.get_list("set-cookie") if v.startswith(name + "=")]
    assert found, f"no {name} cookie was set"
    return found[0]


async def mine(platform: dict[str, str], token: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=platform["events"]) as events:
        answer = await events.get(
            "/cities/lublin/registrations/mine", headers={"X-Registration-Token": token}
        )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_registering_without_javascript_keeps_the_token_in_the_browser_only(web, platform) -> None:
    page = await web.get(RESIDENCE)
    assert "Places are limited. If the event is full, you join the waiting list." in page.text
    assert submit_label(page) == "Register" and "places left" not in page.text  # never how many
    sent = await web.post(f"{RESIDENCE}/register", data=registration_form(page, name="Olena"))
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{RESIDENCE}?registered=confirmed#registration"
    cookie = cookie_header(sent, "witaj_registrations")
    assert "Path=/lublin" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = web.cookies.get("witaj_registrations")
    assert token and token not in sent.headers["location"]
    [held] = await mine(platform, token)
    assert held["event_id"] == "demo-residence-permits" and held["status"] == "confirmed"

    shown = await web.get(sent.headers["location"])
    assert "You are registered. Your place is kept for you." in shown.text
    assert "You have a place" in shown.text and token not in shown.text
    assert shown.headers["cache-control"] == "no-store"  # the reader's own registration is on it
    listed = await web.get("/lublin/en/registrations")
    assert "Residence permit: how to apply" in listed.text and "You have a place" in listed.text
    assert listed.headers["cache-control"] == "no-store"

    cancel = re.search(r'action="(/lublin/en/registrations/[^"/]+/cancel)"', shown.text)
    assert cancel
    gone = await web.post(
        cancel.group(1), data={"csrf_token": token_of(shown), "event": "demo-residence-permits"}
    )
    assert gone.status_code == 303 and gone.headers["location"] == f"{RESIDENCE}?cancelled=1#registration"
    after = await web.get(gone.headers["location"])
    assert "Your registration is cancelled." in after.text and "You have a place" not in after.text
    assert [r["status"] for r in await mine(platform, token)] == ["cancelled"]


async def test_a_form_sent_twice_books_once_and_a_family_stays_under_one_token(web, platform) -> None:
    first_page = await web.get(RESIDENCE)
    form = registration_form(first_page, name="Ahmad")
    # A double tap: the same form twice at once, then once more (a reload of the answer).
    answers = await asyncio.gather(*(web.post(f"{RESIDENCE}/register", data=form) for _ in range(2)))
    again = await web.post(f"{RESIDENCE}/register", data=form)
    assert {a.status_code for a in [*answers, again]} == {303}
    token = web.cookies.get("witaj_registrations")
    assert len(await mine(platform, token)) == 1
    # A new rendering of the form is a new registration: a second person, under the same token.
    second_page = await web.get(RESIDENCE)
    assert form_key_of(second_page) != form["key"]
    assert "Register another person" in second_page.text
    added = await web.post(f"{RESIDENCE}/register", data=registration_form(second_page, name="Mariam"))
    assert added.status_code == 303 and web.cookies.get("witaj_registrations") == token
    assert len(await mine(platform, token)) == 2
    # With the token the key also goes to the service, which answers a repeat with the same place.
    resent = await web.post(f"{RESIDENCE}/register", data=registration_form(second_page, name="Mariam"))
    assert resent.status_code == 303 and len(await mine(platform, token)) == 2


class LosesAnAnswer(httpx.AsyncBaseTransport):
    """The real network to the real services, except that the answer to the first registration is lost
    on its way back (the events service did register), as when a connection drops."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.tokens_asked = 0
        self.lost = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/registration-tokens"):
            self.tokens_asked += 1
        if request.method == "POST" and request.url.path.endswith("/registrations") and not self.lost:
            self.lost = True
            await response.aread()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


async def test_a_first_registration_whose_answer_was_lost_is_booked_once_when_sent_again(
    platform, auth_header
) -> None:
    made = create_event(platform, organiser(auth_header), event_body(unique("Tenancy advice")))
    address = f"/lublin/en/events/{made['id']}"
    network = LosesAnAnswer()
    async with serve(create_app(web_settings(platform, backend=patient()), transport=network)) as web:
        web.headers["X-Forwarded-For"] = reader_address()
        form = registration_form(await web.get(address), name="Nadia")
        lost = await web.post(f"{address}/register", data=form)
        assert lost.status_code == 503 and "The service is not available right now" in lost.text
        # The token came from the service before the registration went, and the browser has it even
        # though the registration's answer never came.
        assert network.tokens_asked == 1
        token = web.cookies.get("witaj_registrations")
        assert token and "HttpOnly" in cookie_header(lost, "witaj_registrations")
        [booked] = await mine(platform, token)
        # The reader sends the same form again: the service knows the token and the form's key.
        again = await web.post(f"{address}/register", data=form)
        assert again.status_code == 303
        assert again.headers["location"] == f"{address}?registered=confirmed#registration"
        assert [r["id"] for r in await mine(platform, token)] == [booked["id"]]
        assert network.tokens_asked == 1 and web.cookies.get("witaj_registrations") == token


async def test_a_token_the_service_does_not_know_is_replaced_by_one_it_gives(web, platform) -> None:
    host = web.base_url.host
    web.cookies.set("witaj_registrations", "made-up-by-someone-" + "x" * 24, domain=host, path="/lublin")
    page = await web.get(RESIDENCE)
    sent = await web.post(f"{RESIDENCE}/register", data=registration_form(page, name="Omid"))
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{RESIDENCE}?registered=confirmed#registration"
    token = web.cookies.get("witaj_registrations", path="/lublin")
    assert token and not token.startswith("made-up-by-someone")
    [held] = await mine(platform, token)
    assert held["event_id"] == "demo-residence-permits"


async def test_mistakes_come_back_beside_their_fields_and_nothing_is_booked(web) -> None:
    page = await web.get(RESIDENCE)
    form = registration_form(page, name="Olena", email="olena@", phone="call me")
    answer = await web.post(f"{RESIDENCE}/register", data=form)
    assert answer.status_code == 422
    text = answer.text
    assert "<title>Error: Residence permit: how to apply" in text
    assert 'class="error-summary" role="alert"' in text
    assert '<a href="#reg-email">Enter an e-mail address like name@example.com, or leave it empty</a>' in text
    assert '<a href="#reg-phone">' in text
    assert 'id="reg-email-error"' in text and 'aria-describedby="reg-contact-hint reg-email-error"' in text
    assert 'value="Olena"' in text and 'value="olena@"' in text  # what was typed stays
    assert web.cookies.get("witaj_registrations") is None  # nothing was booked
    no_date = await web.post(
        f"{RESIDENCE}/register", data={**form, "email": "", "phone": "", "occurrence": "soon"}
    )
    assert no_date.status_code == 422 and '<a href="#reg-occurrence">Choose a date</a>' in no_date.text


async def test_a_full_event_puts_the_next_reader_on_the_waiting_list_who_then_gets_the_place(
    web_url, platform, auth_header
) -> None:
    made = create_event(platform, organiser(auth_header), event_body(unique("Small group"), capacity=1))
    address = f"/lublin/en/events/{made['id']}"
    readers = [
        httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}, timeout=20)
        for _ in range(2)
    ]
    try:
        outcomes, buttons = [], []
        for reader in readers:
            page = await reader.get(address)
            buttons.append(submit_label(page))
            sent = await reader.post(f"{address}/register", data=registration_form(page))
            outcomes.append(sent.headers["location"])
        # Before registering, each reader sees whether a place is left or the waiting list is next.
        assert buttons == ["Register", "Join the waiting list"]
        assert outcomes == [
            f"{address}?registered=confirmed#registration",
            f"{address}?registered=waitlisted#registration",
        ]
        waiting = await readers[1].get(outcomes[1])
        assert "The event is full, so you are on the waiting list." in waiting.text
        assert "There are no places left." in waiting.text
        assert "You are on the waiting list" in waiting.text

        first = await readers[0].get(address)
        cancel = re.search(r'action="(/lublin/en/registrations/[^"/]+/cancel)"', first.text)
        assert cancel
        await readers[0].post(cancel.group(1), data={"csrf_token": token_of(first), "event": made["id"]})
        promoted = await readers[1].get(address)
        assert "You have a place" in promoted.text and "You are on the waiting list" not in promoted.text
    finally:
        for reader in readers:
            await reader.aclose()


async def test_a_full_date_says_so_before_the_reader_chooses_it(web, web_url, platform, auth_header) -> None:
    made = small_weekly_group(platform, auth_header, "Weekly small group")
    address = f"/lublin/en/events/{made['id']}"
    page = await web.get(address)
    assert "Full: waiting list" not in page.text and submit_label(page) == "Register"
    dates = re.findall(r'name="occurrence" value="([^"]+)"', page.text)
    assert len(dates) == 2
    sent = await web.post(f"{address}/register", data={**registration_form(page), "occurrence": dates[0]})
    assert sent.headers["location"] == f"{address}?registered=confirmed#registration"

    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as other:
        page = await other.get(address)
    choices = re.findall(r'<div class="choice">\s*<input type="radio".*?</div>', page.text, re.S)
    assert ["Full: waiting list" in choice for choice in choices] == [True, False]
    assert submit_label(page) == "Register (or join the waiting list)"
    assert "There are no places left." not in page.text  # the other date has a place


async def test_registering_is_limited_per_reader_like_the_api(web, platform, auth_header) -> None:
    made = create_event(platform, organiser(auth_header), event_body(unique("Big hall")))
    address = f"/lublin/en/events/{made['id']}"
    outcomes = []
    for _ in range(8):
        page = await web.get(address)
        sent = await web.post(f"{address}/register", data=registration_form(page))
        outcomes.append(sent.status_code)
    assert outcomes[0] == 303 and outcomes[-1] == 429
    refused = await web.post(f"{address}/register", data=registration_form(await web.get(address)))
    assert "You have sent many registrations in a short time." in refused.text
    other = await web.post(
        f"{address}/register",
        data=registration_form(await web.get(address)),
        headers={"X-Forwarded-For": reader_address()},
    )
    assert other.status_code == 303  # another reader is not held up


async def test_a_forged_form_and_someone_elses_registration_are_refused(web, web_url) -> None:
    page = await web.get(RESIDENCE)
    forged = await web.post(f"{RESIDENCE}/register", data={**registration_form(page), "csrf_token": "x" * 43})
    assert forged.status_code == 403
    sent = await web.post(f"{RESIDENCE}/register", data=registration_form(page))
    shown = await web.get(sent.headers["location"])
    cancel = re.search(r'action="(/lublin/en/registrations/[^"/]+/cancel)"', shown.text)
    assert cancel
    async with httpx.AsyncClient(base_url=web_url, headers={"X-Forwarded-For": reader_address()}) as other:
        their_page = await other.get(RESIDENCE)
        their_sent = await other.post(f"{RESIDENCE}/register", data=registration_form(their_page))
        assert their_sent.status_code == 303
        theirs = await other.get(RESIDENCE)
        refused = await other.post(cancel.group(1), data={"csrf_token": token_of(theirs)})
        assert refused.status_code == 404
    still = await web.get(RESIDENCE)
    assert "You have a place" in still.text


async def test_a_browser_without_registrations_is_told_where_they_are_kept(web) -> None:
    listed = await web.get("/lublin/en/registrations")
    assert listed.status_code == 200 and "You have no registrations in this browser." in listed.text
    assert "kept in this browser, without an account" in listed.text
