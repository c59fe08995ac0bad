"""An editor's unsaved text as a reader would see it: the same rendering as a published item's read.

The back office shows a live preview beside the editor. It must be exactly what readers get, so the
rendering is not repeated anywhere else: the body is checked like a save (the same model, so the same
field errors), then put through `localize.localized` with the city's published glossary in the text's
language, and answered in the shape of a public item read. Nothing is stored and no event is sent.
"""

from datetime import UTC, datetime
from typing import Any, Generic

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from witaj.content import access
from witaj.content.cache import CachedItem, CityContent
from witaj.content.deps import ServicesDep
from witaj.content.kinds import MODELS, PATHS
from witaj.content.localize import localized
from witaj.content.writing import B, city_language
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.events import ContentKind
from witaj.shared.languages import is_rtl
from witaj.shared.translations import ItemTranslations

router = APIRouter(prefix="/cities/{city}/workbench/preview", tags=["workbench"])
PREVIEW_ID = "preview"


class PreviewRequest(BaseModel, Generic[B]):
    model_config = ConfigDict(extra="forbid")
    content: B
    language: str = Field(max_length=3, description="The language the text is written in")


def reader_view(
    kind: ContentKind, city_content: CityContent, city: str, content: dict[str, Any], language: str
) -> dict[str, Any]:
    """A body in one language, localized exactly as a published item's read would be."""
    doc = {
        "_id": PREVIEW_ID,
        "kind": kind.value,
        "city": city,
        "organisation": None,
        "revision": 0,
        "version": 0,
        "updated_at": datetime.now(UTC),
        "content": content,
    }
    item = CachedItem(doc=doc, translations=ItemTranslations(source_language=language), languages=[language])
    return {
        **localized(item, city_content, language),
        "language": language,
        "requested_language": language,
        "fallback": False,
        "rtl": is_rtl(language),
    }


def _register(path: str, kind: ContentKind) -> None:
    model = MODELS[kind]

    async def preview(
        city: str,
        body: PreviewRequest[model],  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        services: ServicesDep,
    ) -> dict[str, Any]:
        access.require_workbench(principal, city)
        city_language(services, city, body.language)
        cache = services.published
        content = body.content.model_dump(mode="json")
        return reader_view(kind, await cache.city(city), city, content, body.language)

    router.add_api_route(
        f"/{path}",
        preview,
        methods=["POST"],
        summary=f"Render an unsaved body as readers would see it ({path})",
    )


for _path, _kind in PATHS.items():
    _register(_path, _kind)
