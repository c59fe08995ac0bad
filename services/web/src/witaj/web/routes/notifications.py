"""Notifications: subscribe to topics and target groups (in the app's inbox, by e-mail), change that,
or stop and erase everything.

The subscription belongs to this browser, not to an account: notify hands out its token once, and the
web app keeps id and token in an HttpOnly cookie for the city (`browser_keys`). Messages come in the
language of the page the reader subscribed (or last saved their choices) from. An e-mail address is
used only once its owner confirms it from the link notify sends (double opt-in); until then the page
says so and offers to send the link again. Stopping erases the subscription and its inbox at notify, and the cookie here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response
from witaj.shared.events import Feature, UserType
from witaj.web.browser_keys import NOTIFICATIONS_COOKIE, Subscribed, forget, keep, private, subscribed
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.content import TopicTree
from witaj.web.clients.notify import EMAIL as EMAIL_CHANNEL
from witaj.web.clients.notify import INBOX, Subscription
from witaj.web.deps import CityReader, WebDep, require
from witaj.web.forms import EMAIL, Problems
from witaj.web.pages import Reader
from witaj.web.routes.events import topic_tree

router = APIRouter()
GROUPS = tuple(group.value for group in UserType)
MAX_TOPICS = 30
NOTICES = ("subscribed", "saved", "erased", "sent_again")
REFUSALS = {
    "rate_limited": (None, "notifications.limited"),
    "unknown_topic": ("sub-topics", "notifications.bad_topic"),
    "email_required": ("sub-email", "notifications.email_needed"),
}


class SubscriptionForm:
    """The choices as shown in the form: the reader's (as typed), the subscription's, or none yet."""

    def __init__(
        self,
        *,
        topics: list[str] | None = None,
        groups: list[str] | None = None,
        channels: list[str] | None = None,
        email: str = "",
        problems: Problems | None = None,
    ) -> None:
        self.topics = topics or []
        self.groups = groups or []
        self.channels = [INBOX] if channels is None else channels
        self.email = email
        self.problems = problems or Problems()

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionForm:
        return cls(
            topics=subscription.topics,
            groups=subscription.target_groups,
            channels=subscription.channels,
            email=subscription.email or "",
        )


async def current(reader: Reader, web: WebDep) -> tuple[Subscribed | None, Subscription | None]:
    """The reader's subscription as notify holds it; (None, None) when the browser holds none, or one
    notify no longer knows (erased from another page, or from an e-mail's link)."""
    held = subscribed(reader.request)
    if held is None:
        return None, None
    try:
        return held, await web.notify.subscription(held.id, held.token)
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            return None, None
        raise


def topic_options(tree: TopicTree | None) -> list[tuple[str, str, str]]:
    """The city's main topics (each includes its subtopics at notify): (id, label, label's language)."""
    return [(node.id, node.label, node.language) for node in tree.topics] if tree else []


async def render_form(
    reader: Reader,
    web: WebDep,
    form: SubscriptionForm,
    subscription: Subscription | None,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    private(reader)
    tree = await topic_tree(reader, web)
    return reader.render(
        "pages/notifications.html",
        status=status,
        form=form,
        subscription=subscription,
        topics=topic_options(tree),
        groups=GROUPS,
        notice=notice,
    )


@router.get("/{city}/{lang}/notifications")
async def notifications_page(
    reader: CityReader, web: WebDep, done: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    require(reader, Feature.NOTIFICATIONS)
    held, subscription = await current(reader, web)
    form = SubscriptionForm.of(subscription) if subscription else SubscriptionForm()
    response = await render_form(reader, web, form, subscription, notice=done if done in NOTICES else None)
    if held is None and subscribed(reader.request) is not None:
        forget(response, reader, NOTIFICATIONS_COOKIE)
    elif held is not None:
        keep(response, reader, NOTIFICATIONS_COOKIE, held.cookie)
    return response


def check(form: SubscriptionForm, known_topics: set[str] | None) -> Problems:
    problems = Problems()
    if not form.channels:
        problems.add("sub-inbox", "notifications.channel_needed")
    if EMAIL_CHANNEL in form.channels and not form.email:
        problems.add("sub-email", "notifications.email_needed")
    elif form.email and not EMAIL.match(form.email):
        problems.add("sub-email", "notifications.bad_email")
    if known_topics is not None and not set(form.topics) <= known_topics:
        problems.add("sub-topics", "notifications.bad_topic")
    return problems


@router.post("/{city}/{lang}/notifications")
async def save(
    reader: CityReader,
    web: WebDep,
    topic: Annotated[list[str], Form(max_length=MAX_TOPICS)] = [],  # noqa: B006 - FastAPI's form default
    group: Annotated[list[str], Form(max_length=len(GROUPS))] = [],  # noqa: B006
    channel: Annotated[list[str], Form(max_length=3)] = [],  # noqa: B006
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Subscribe, or save changed choices; back to the inbox (new) or these settings (changed)."""
    assert reader.city is not None
    require(reader, Feature.NOTIFICATIONS)
    form = SubscriptionForm(
        topics=list(dict.fromkeys(t for t in topic if len(t) <= 40)),
        groups=[g for g in GROUPS if g in group],
        channels=[c for c in (INBOX, EMAIL_CHANNEL) if c in channel],
        email=email.strip(),
    )
    held, subscription = await current(reader, web)
    tree = await topic_tree(reader, web)
    known = {node.id for top in tree.topics for node, _ in top.walk()} if tree else None
    form.problems = check(form, known)
    if form.problems:
        return await render_form(reader, web, form, subscription, status=422)
    choices: dict[str, Any] = {
        "topics": form.topics,
        "target_groups": form.groups,
        "channels": form.channels,
        "email": form.email or None,
        "language": reader.language,
    }
    try:
        if held is not None and subscription is not None:
            await web.notify.change(held.id, held.token, choices)
            made = None
        else:
            made = await web.notify.subscribe(
                {**choices, "city": reader.city.id}, reader=reader.identity_headers()
            )
    except BackendRefused as refused:
        place = REFUSALS.get(refused.code)
        if place is None:
            raise
        form.problems.add(*place)
        return await render_form(
            reader, web, form, subscription, status=429 if refused.status == 429 else 422
        )
    if made is None:
        return RedirectResponse(reader.path("notifications") + "?done=saved", status_code=303)
    response = RedirectResponse(reader.path("inbox") + "?done=subscribed", status_code=303)
    if made.token:
        keep(response, reader, NOTIFICATIONS_COOKIE, Subscribed(made.id, made.token).cookie)
    return response


@router.post("/{city}/{lang}/notifications/confirmation")
async def confirm_again(reader: CityReader, web: WebDep) -> Response:
    """The confirmation e-mail did not arrive (or its link expired): notify sends it again, as often as
    it allows one address a day. An address confirmed or changed meanwhile needs nothing more."""
    require(reader, Feature.NOTIFICATIONS)
    held = subscribed(reader.request)
    done = ""
    if held is not None:
        try:
            await web.notify.confirm_again(held.id, held.token)
            done = "?done=sent_again"
        except BackendRefused as refused:
            if refused.status not in (401, 403, 404, 409):
                raise  # 409: confirmed already, or no address; the page shows which
    return RedirectResponse(reader.path("notifications") + done, status_code=303)


@router.get("/{city}/{lang}/notifications/stop")
async def stop_page(reader: CityReader, web: WebDep) -> Response:
    """Asks once more before erasing: the inbox goes with it and cannot come back."""
    require(reader, Feature.NOTIFICATIONS)
    _, subscription = await current(reader, web)
    if subscription is None:
        return RedirectResponse(reader.path("notifications"), status_code=303)
    private(reader)
    return reader.render("pages/notifications_stop.html", subscription=subscription)


@router.post("/{city}/{lang}/notifications/stop")
async def stop(reader: CityReader, web: WebDep) -> Response:
    """Unsubscribe: notify erases the subscription and every message; the browser forgets the key."""
    require(reader, Feature.NOTIFICATIONS)
    held = subscribed(reader.request)
    if held is not None:
        try:
            await web.notify.erase(held.id, held.token)
        except BackendRefused as refused:
            if refused.status not in (401, 403, 404):
                raise  # gone already, or not this browser's: nothing is left to erase here
    response = RedirectResponse(reader.path("notifications") + "?done=erased", status_code=303)
    forget(response, reader, NOTIFICATIONS_COOKIE)
    return response
