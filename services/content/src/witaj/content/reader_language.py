"""Which language a reader gets: the `lang` query parameter (it wins), then Accept-Language, then the
city's fallbacks, among the languages something is available in. Shared by every reading route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query
from witaj.shared.errors import NotFound
from witaj.shared.languages import LanguageChoice
from witaj.shared.runtime import Runtime
from witaj.shared.web import OptionalParam

LANG = OptionalParam("lang", "query", 35, "Preferred language, wins over Accept-Language")
ACCEPT_LANGUAGE = OptionalParam("accept-language", "header", 500)
Lang = Annotated[str | None, Query(max_length=LANG.max_length, description=LANG.description)]
AcceptLanguage = Annotated[str | None, Header(max_length=ACCEPT_LANGUAGE.max_length)]


def choose(
    runtime: Runtime, city: str, available: list[str], lang: str | None, accept: str | None
) -> LanguageChoice:
    choice = runtime.cities.choose_language(city, available, lang=lang, accept_language=accept)
    if choice is None:
        raise NotFound("A language version of this item")
    return choice
