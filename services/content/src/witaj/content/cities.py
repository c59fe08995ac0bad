"""City configuration, owned here: create and update it, publish every change as a full snapshot.

The other services (and this service's own replicas) keep their copies from `city.config`, so a change
is written with its CityConfigured event in one transaction through the outbox. A new city gets its
starting topic tree in the same transaction (see `topic_tree.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from witaj.shared.auth import CurrentPrincipal, Principal, forbid_unless
from witaj.shared.envelope import wrap
from witaj.shared.errors import ApiError, Conflict, NotFound
from witaj.shared.events import CityConfig, CityConfigured
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.topics import CITY_CONFIG

if TYPE_CHECKING:
    from witaj.content.topic_tree import TopicTreeStore

SOURCE = "witaj/content"


class CityStore:
    """The authoritative city configurations (collection `cities`)."""

    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox, trees: TopicTreeStore) -> None:
        self.collection = db["cities"]
        self.outbox = outbox
        self.trees = trees

    async def get(self, city: str) -> tuple[CityConfig, int] | None:
        doc = await self.collection.find_one({"_id": city})
        if doc is None:
            return None
        return CityConfig.model_validate(doc["config"]), int(doc["revision"])

    async def list(self) -> list[tuple[CityConfig, int]]:
        return [
            (CityConfig.model_validate(doc["config"]), int(doc["revision"]))
            async for doc in self.collection.find({}, sort=[("_id", 1)])
        ]

    async def create(self, config: CityConfig, *, by: str) -> int:
        async def work(session: Session) -> None:
            try:
                await self.collection.insert_one(
                    {
                        "_id": config.id,
                        "config": config.model_dump(mode="json"),
                        "revision": 1,
                        "updated_at": datetime.now(UTC),
                        "updated_by": by,
                    },
                    session=session,
                )
            except DuplicateKeyError:
                raise Conflict(f"The city '{config.id}' already exists", code="city_exists") from None
            await self._announce(session, config, 1)
            await self.trees.seed_in(session, config.id)

        await self.outbox.transaction(work)
        return 1

    async def update(self, config: CityConfig, *, by: str, expected_revision: int | None = None) -> int:
        async def work(session: Session) -> int:
            current = await self.collection.find_one({"_id": config.id}, session=session)
            if current is None:
                raise NotFound(f"The city '{config.id}'")
            if expected_revision is not None and current["revision"] != expected_revision:
                raise ApiError(
                    412,
                    "revision_mismatch",
                    f"The city was changed meanwhile (now revision {current['revision']}); reload and retry",
                )
            revision = int(current["revision"]) + 1
            await self.collection.update_one(
                {"_id": config.id, "revision": current["revision"]},
                {
                    "$set": {
                        "config": config.model_dump(mode="json"),
                        "revision": revision,
                        "updated_at": datetime.now(UTC),
                        "updated_by": by,
                    }
                },
                session=session,
            )
            await self._announce(session, config, revision)
            return revision

        return await self.outbox.transaction(work)

    async def _announce(self, session: Session, config: CityConfig, revision: int) -> None:
        event = wrap(
            CityConfigured(config=config, revision=revision), source=SOURCE, city=config.id, subject=config.id
        )
        await self.outbox.add(session, CITY_CONFIG, event, key=config.id.encode())


def _store(request: Request) -> CityStore:
    return request.app.state.city_store  # type: ignore[no-any-return]


Store = Annotated[CityStore, Depends(_store)]
router = APIRouter(prefix="/cities", tags=["cities"])


def require_admin(principal: Principal, city: str) -> None:
    forbid_unless(
        principal.may_administer_city(city),
        f"Only a platform admin or a city admin of '{city}' may configure it",
    )


def etag(revision: int) -> str:
    return f'"{revision}"'


def revision_from(if_match: str | None) -> int | None:
    if not if_match or if_match.strip() == "*":
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ApiError(
            400, "bad_if_match", 'If-Match must be the ETag of the current revision, e.g. "3"'
        ) from None


@router.get("", summary="Every city this deployment serves")
async def list_cities(store: Store) -> list[CityConfig]:
    return [config for config, _ in await store.list()]


@router.get("/{city}", summary="One city's configuration")
async def get_city(city: str, store: Store, response: Response) -> CityConfig:
    found = await store.get(city)
    if found is None:
        raise NotFound(f"The city '{city}'")
    response.headers["ETag"] = etag(found[1])
    return found[0]


@router.post("", status_code=201, summary="Create a city (platform admin, or the city's own admin)")
async def create_city(
    config: CityConfig, principal: CurrentPrincipal, store: Store, response: Response
) -> CityConfig:
    require_admin(principal, config.id)
    revision = await store.create(config, by=principal.subject)
    response.headers["ETag"] = etag(revision)
    response.headers["Location"] = f"/cities/{config.id}"
    return config


@router.put("/{city}", summary="Replace a city's configuration (send If-Match to avoid lost updates)")
async def update_city(
    city: str,
    config: CityConfig,
    principal: CurrentPrincipal,
    store: Store,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> CityConfig:
    require_admin(principal, city)
    if config.id != city:
        raise ApiError(
            422, "id_mismatch", f"The body is for city '{config.id}' but the address says '{city}'"
        )
    revision = await store.update(config, by=principal.subject, expected_revision=revision_from(if_match))
    response.headers["ETag"] = etag(revision)
    return config
