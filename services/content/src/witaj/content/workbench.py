"""The editors' and translators' side: create, edit, review, publish, archive, translate, see history.

Routes live under `/cities/{city}/workbench/` so they never collide with public reading. Each kind gets
its own typed create/replace routes (so OpenAPI shows every kind's schema); everything after creation
is addressed by item id.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import ValidationError
from witaj.content import access
from witaj.content.deps import ServicesDep
from witaj.content.kinds import MODELS, PATHS
from witaj.content.schemas import (
    ItemCreate,
    ItemUpdate,
    StatusUpdate,
    TranslationUpdate,
    VersionPublic,
    WorkbenchItemPublic,
)
from witaj.content.store import Status, source_texts
from witaj.content.writing import after_write, city_language, editor_view, expected_revision, respond
from witaj.shared.auth import CurrentPrincipal, Principal
from witaj.shared.errors import ApiError, BadRequest, NotFound
from witaj.shared.events import ContentKind
from witaj.shared.translations import require_publisher
from witaj.shared.web import Page, Pagination

router = APIRouter(prefix="/cities/{city}/workbench", tags=["workbench"])


def _owner(principal: Principal, wanted: str | None) -> str | None:
    if principal.has(*access.CITY_EDITORS) or principal.is_platform_admin:
        return wanted or principal.organisation
    if wanted is not None and wanted != principal.organisation:
        raise ApiError(403, "forbidden", "NGO editors create items for their own organisation only")
    return principal.organisation


def _register_kind(path: str, kind: ContentKind) -> None:
    model = MODELS[kind]

    async def create(
        city: str,
        body: ItemCreate[model],
        principal: CurrentPrincipal,
        services: ServicesDep,
        response: Response,  # type: ignore[valid-type]
    ) -> WorkbenchItemPublic:
        config = services.runtime.cities.require(city)
        access.require_create(principal, city)
        source = body.source_language or config.default_language
        if source not in config.languages:
            raise BadRequest(
                f"'{source}' is not one of {city}'s languages",
                code="unknown_language",
                details=config.languages,
            )
        doc = await services.items.create(
            city, kind, body.content, source_language=source, organisation=_owner(principal, body.organisation),
            by=principal.subject,
        )  # fmt: skip
        response.status_code = 201
        response.headers["Location"] = f"/cities/{city}/workbench/items/{doc['_id']}"
        return respond(response, doc, services)

    async def replace(
        city: str,
        item_id: str,
        body: ItemUpdate[model],  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        services: ServicesDep,
        response: Response,
        if_match: Annotated[str | None, Header(max_length=40)] = None,
    ) -> WorkbenchItemPublic:
        store = services.items
        current = await store.get(city, item_id)
        access.require_edit(principal, current)
        if current["kind"] != kind.value:
            raise NotFound(f"The {kind.value} '{item_id}' in '{city}'")
        doc = await store.update(
            city, item_id, body.content, by=principal.subject, minor=body.minor, important=body.important,
            expected_version=expected_revision(if_match),
        )  # fmt: skip
        await after_write(services, doc)
        return respond(response, doc, services)

    router.add_api_route(
        f"/{path}", create, methods=["POST"], status_code=201, summary=f"Create a draft ({path})"
    )
    router.add_api_route(
        f"/{path}/{{item_id}}", replace, methods=["PUT"], summary=f"Edit the source text ({path})"
    )


for _path, _kind in PATHS.items():
    _register_kind(_path, _kind)


@router.get("/{kind_path}", summary="Items of one kind in any state, for editors (newest first)")
async def list_for_editors(
    city: str,
    kind_path: str,
    principal: CurrentPrincipal,
    services: ServicesDep,
    page: Pagination,
    status: Status | None = None,
    organisation: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[WorkbenchItemPublic]:
    scope = access.workbench_scope(principal, city)
    if scope and organisation not in (None, scope["organisation"]):
        raise ApiError(403, "forbidden", "NGO editors see their own organisation's items only")
    organisation = scope.get("organisation", organisation)
    kind = PATHS.get(kind_path)
    if kind is None:
        raise NotFound(f"The kind of content '{kind_path}'")
    languages = services.runtime.cities.require(city).languages
    docs, total = await services.items.listing(
        city, kind, status=status, organisation=organisation, limit=page.limit, offset=page.offset
    )
    return Page[WorkbenchItemPublic].of([editor_view(d, languages) for d in docs], total, page)


@router.get("/items/{item_id}", summary="One item with its translation status")
async def get_for_editors(
    city: str, item_id: str, principal: CurrentPrincipal, services: ServicesDep, response: Response
) -> WorkbenchItemPublic:
    access.require_workbench(principal, city)
    doc = await services.items.get(city, item_id)
    access.require_view(principal, doc)
    return respond(response, doc, services)


@router.post("/items/{item_id}/status", summary="Submit for review, publish, archive or send back")
async def change_status(
    city: str,
    item_id: str,
    change: StatusUpdate,
    principal: CurrentPrincipal,
    services: ServicesDep,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=40)] = None,
) -> WorkbenchItemPublic:
    store = services.items
    access.require_edit(principal, await store.get(city, item_id))
    doc = await store.transition(
        city, item_id, change.status, by=principal.subject, expected_version=expected_revision(if_match)
    )
    await after_write(services, doc)
    return respond(response, doc, services)


@router.get("/items/{item_id}/versions", summary="Version history of the source text")
async def versions(
    city: str, item_id: str, principal: CurrentPrincipal, services: ServicesDep
) -> list[VersionPublic]:
    """Every source revision, newest first, with its translatable texts flat by path (`texts`), so a
    translator sees what changed since the revision they translated from."""
    store = services.items
    current = await store.get(city, item_id)
    access.require_translate(principal, current)
    return [
        VersionPublic(
            revision=v["revision"],
            content=v["content"],
            texts=_texts_of_version(current["kind"], v["content"]),
            organisation=v.get("organisation"),
            at=v["at"].isoformat(),
        )
        for v in await store.history(item_id)
    ]


def _texts_of_version(kind: str, content: dict[str, Any]) -> dict[str, str]:
    """An old revision's texts; one the kind's model no longer accepts shows no texts, not an error."""
    try:
        return source_texts({"kind": kind, "content": content})
    except ValidationError:
        return {}


@router.put(
    "/items/{item_id}/translations/{language}", summary="Save a translation or move it in the workflow"
)
async def translate(
    city: str,
    item_id: str,
    language: str,
    change: TranslationUpdate,
    principal: CurrentPrincipal,
    services: ServicesDep,
    response: Response,
) -> WorkbenchItemPublic:
    city_language(services, city, language)
    store = services.items
    current = await store.get(city, item_id)
    access.require_translate(principal, current)
    require_publisher(change.state, access.may_edit(principal, current))
    doc = await store.translate(
        city, item_id, language, state=change.state, fields=change.fields, by=principal.subject,
        expected_revision=change.source_revision,
    )  # fmt: skip
    await after_write(services, doc)
    return respond(response, doc, services)
