"""An editor's unsaved text as a reader would see it: the same rendering as a published item's read.

The back office shows a live preview beside the editor. It must be exactly what readers get, so the
rendering is not repeated anywhere else: the body is checked like a save (the same model, so the same
field errors), then put through `localize.localized` with the city's published glossary in the text's
language, and answered in the shape of a public item read. Nothing is stored and no event is sent.
"""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from witaj.content import access
from witaj.content.cache import CachedItem, CityContent
from witaj.content.deps import ServicesDep
from witaj.content.kinds import MODELS, PATHS
from witaj.content.localize import item_public
from witaj.content.schemas import ItemPublic, PreviewCreate
from witaj.content.writing import city_language
from witaj.shared.auth import CurrentPrincipal
from witaj.shared.events import ContentKind
from witaj.shared.languages import LanguageChoice, is_rtl
from witaj.shared.translations import ItemTranslations

router = APIRouter(prefix="/cities/{city}/workbench/preview", tags=["workbench"])
PREVIEW_ID = "preview"


def reader_view(
    kind: ContentKind, city_content: CityContent, city: str, content: dict[str, Any], language: str
) -> ItemPublic:
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
    choice = LanguageChoice(language=language, requested=language, fallback=False, rtl=is_rtl(language))
    return item_public(item, city_content, choice)


def _register(path: str, kind: ContentKind) -> None:
    model = MODELS[kind]

    async def preview(
        city: str,
        body: PreviewCreate[model],  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        services: ServicesDep,
    ) -> ItemPublic:
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
        response_model_exclude_unset=True,
    )


for _path, _kind in PATHS.items():
    _register(_path, _kind)
