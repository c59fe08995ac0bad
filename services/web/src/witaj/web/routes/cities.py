"""Choosing a city and a language: the front door, a city's door, and the language list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from witaj.web.deps import CityReader, PageNotFound, PlainReader, WebDep, find_city
from witaj.web.i18n import LANGUAGE_COOKIE, reader_language, translated_languages

router = APIRouter()


@router.get("/")
async def choose_city(reader: PlainReader, web: WebDep) -> HTMLResponse:
    cities = sorted(reader.use(await web.content.cities()), key=lambda c: c.name)
    return reader.render("pages/cities.html", cities=cities, languages=translated_languages())


@router.get("/{city}")
async def city_door(city: str, reader: PlainReader, web: WebDep) -> RedirectResponse:
    """To the city's home in the reader's language: their earlier choice, else their browser's."""
    config = await find_city(web, reader, city)
    if config is None:
        raise PageNotFound("city")
    language = reader_language(
        config.languages,
        cookie=reader.request.cookies.get(LANGUAGE_COOKIE),
        accept_language=reader.request.headers.get("accept-language"),
        default=config.default_language,
    )
    return RedirectResponse(f"/{config.id}/{language}", status_code=303, headers={"Vary": "Cookie"})


@router.get("/{city}/{lang}/language")
async def choose_language(
    reader: CityReader, back: Annotated[str, Query(alias="from", max_length=300)] = ""
) -> HTMLResponse:
    """Each language the city offers, in its own name, leading back to the page the reader was on."""
    assert reader.city is not None
    rest = back if back.startswith("/") and not back.startswith("//") else ""
    languages = [(code, reader.path(lang=code) + rest) for code in reader.city.languages]
    return reader.render("pages/languages.html", languages=languages)
