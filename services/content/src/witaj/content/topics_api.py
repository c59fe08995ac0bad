"""HTTP routes of the topic tree: the public, localized tree and its admins' add, rename, move, remove.

See `topic_tree.py` for the rules and storage. Writes take `If-Match` with the tree's ETag (its revision)
so two admins editing at once do not silently overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from witaj.content.access import require_admin
from witaj.content.deps import Services, ServicesDep
from witaj.content.reader_language import AcceptLanguage, Lang, choose
from witaj.content.schemas import (
    TopicCreate,
    TopicNodePublic,
    TopicTreeAdminPublic,
    TopicTreePublic,
    TopicUpdate,
)
from witaj.content.topic_tree import Snapshot, add_topic, change_topic, remove_topic
from witaj.content.writing import etag, expected_revision
from witaj.shared.auth import CurrentPrincipal, Principal
from witaj.shared.errors import ApiError, NotFound
from witaj.shared.events import Topic

router = APIRouter(tags=["topics"])
IfMatch = Annotated[str | None, Header(max_length=40)]


def _localized(snapshot: Snapshot, label_of: Callable[[Topic], dict[str, Any]]) -> list[TopicNodePublic]:
    """The tree nested for display, in stored order; each node labelled by `label_of`."""
    nodes = {t.id: TopicNodePublic(id=t.id, **label_of(t), children=[]) for t in snapshot.topics}
    roots: list[TopicNodePublic] = []
    for topic in snapshot.topics:
        (nodes[topic.parent].children if topic.parent else roots).append(nodes[topic.id])
    return roots


@router.get("/cities/{city}/topics", summary="The city's topic tree, labelled in the reader's language")
async def read_tree(
    city: str,
    services: ServicesDep,
    response: Response,
    lang: Lang = None,
    accept_language: AcceptLanguage = None,
) -> TopicTreePublic:
    runtime = services.runtime
    config = runtime.cities.require(city)
    snapshot = await services.topic_trees.current(city)
    main = choose(runtime, city, config.languages, lang, accept_language)

    def label(topic: Topic) -> dict[str, Any]:
        offered = [code for code in topic.labels if code in config.languages] or list(topic.labels)
        choice = choose(runtime, city, offered, lang, accept_language)
        return {
            "label": topic.labels[choice.language],
            "language": choice.language,
            "fallback": choice.fallback,
        }

    response.headers["Content-Language"] = main.language
    response.headers["Vary"] = "Accept-Language"
    return TopicTreePublic(
        city=city,
        revision=snapshot.revision,
        language=main.language,
        requested_language=main.requested,
        fallback=main.fallback,
        rtl=main.rtl,
        topics=_localized(snapshot, label),
    )


async def _admin_view(services: Services, city: str, principal: Principal) -> None:
    require_admin(principal, city)
    if await services.cities.get(city) is None:
        raise NotFound(f"The city '{city}'")


def _tree_response(response: Response, city: str, snapshot: Snapshot) -> TopicTreeAdminPublic:
    response.headers["ETag"] = etag(snapshot.revision)
    return TopicTreeAdminPublic(city=city, revision=snapshot.revision, topics=snapshot.topics)


@router.get("/cities/{city}/workbench/topics", summary="The topic tree with every label (city admins)")
async def get_tree(
    city: str, principal: CurrentPrincipal, services: ServicesDep, response: Response
) -> TopicTreeAdminPublic:
    await _admin_view(services, city, principal)
    return _tree_response(response, city, await services.topic_trees.get(city))


async def _change(
    services: Services,
    response: Response,
    city: str,
    principal: Principal,
    if_match: str | None,
    edit: Callable[[list[Topic]], list[Topic]],
    removing: str | None = None,
) -> TopicTreeAdminPublic:
    await _admin_view(services, city, principal)
    snapshot = await services.topic_trees.change(
        city, edit, by=principal.subject, expected_revision=expected_revision(if_match), removing=removing
    )
    return _tree_response(response, city, snapshot)


@router.post("/cities/{city}/workbench/topics", status_code=201, summary="Add a topic (city admins)")
async def create_topic(
    city: str,
    body: TopicCreate,
    principal: CurrentPrincipal,
    services: ServicesDep,
    response: Response,
    if_match: IfMatch = None,
) -> TopicTreeAdminPublic:
    new = Topic(id=body.id, parent=body.parent, labels=body.labels)
    return await _change(services, response, city, principal, if_match, lambda topics: add_topic(topics, new))


@router.patch("/cities/{city}/workbench/topics/{topic_id}", summary="Rename or move a topic (city admins)")
async def update_topic(
    city: str,
    topic_id: str,
    body: TopicUpdate,
    principal: CurrentPrincipal,
    services: ServicesDep,
    response: Response,
    if_match: IfMatch = None,
) -> TopicTreeAdminPublic:
    if not body.model_fields_set:
        raise ApiError(422, "nothing_to_change", "Send new labels, a new parent, or both")
    move = "parent" in body.model_fields_set

    def edit(topics: list[Topic]) -> list[Topic]:
        return change_topic(topics, topic_id, labels=body.labels, parent=body.parent, move=move)

    return await _change(services, response, city, principal, if_match, edit)


@router.delete(
    "/cities/{city}/workbench/topics/{topic_id}", summary="Remove a topic no item uses (city admins)"
)
async def delete_topic(
    city: str,
    topic_id: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    response: Response,
    if_match: IfMatch = None,
) -> TopicTreeAdminPublic:
    def edit(topics: list[Topic]) -> list[Topic]:
        return remove_topic(topics, topic_id)

    return await _change(services, response, city, principal, if_match, edit, removing=topic_id)
