"""Read-aloud over HTTP: audio from the web app's espeak-ng voices, bounded and cached, and pages that
offer it in every language with a voice and say plainly where there is none."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
import pytest
from witaj.devkit.cities import new_city
from witaj.web.speech import clean_text, voice_for

ARABIC = "بطاقة الإقامة وثيقة بلاستيكية تثبت حقك في الإقامة في بولندا."
LANGUAGES = ["pl", "ps", "ckb", "prs"]
POLISH = "Karta pobytu to plastikowy dokument, który potwierdza prawo do pobytu w Polsce."


def mp3_frames(audio: bytes) -> int:
    """How many MPEG audio frame headers the bytes hold (0xFFE sync, layer III)."""
    return len(re.findall(rb"\xff[\xe2\xe3\xf2\xf3\xfa\xfb]", audio))


@pytest.mark.parametrize(("lang", "text"), [("ar", ARABIC), ("pl", POLISH)])
async def test_the_audio_for_a_passage_is_mp3_and_the_same_passage_is_not_read_twice(web, lang, text) -> None:
    spoken = await web.get(f"/speech/{lang}", params={"text": text})
    assert spoken.status_code == 200, spoken.text
    assert spoken.headers["content-type"] == "audio/mpeg"
    assert spoken.headers["content-language"] == lang
    audio = spoken.content
    assert mp3_frames(audio) > 50 and len(audio) > 10_000  # several seconds at 32 kbit/s
    assert "content-encoding" not in spoken.headers  # audio is compressed already
    again = await web.get(f"/speech/{lang}", params={"text": f"  {text}\n"})  # the same words
    assert again.content == audio and again.headers["etag"] == spoken.headers["etag"]
    unchanged = await web.get(
        f"/speech/{lang}", params={"text": text}, headers={"If-None-Match": spoken.headers["etag"]}
    )
    assert unchanged.status_code == 304


async def test_many_readers_asking_for_one_passage_at_once_all_get_it(web) -> None:
    text = f"Urząd przyjmuje od poniedziałku do piątku, numer {uuid.uuid4().int % 1000}."
    answers = await asyncio.gather(*(web.get("/speech/pl", params={"text": text}) for _ in range(6)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1


@pytest.mark.parametrize("lang", ["ps", "ckb", "so"])
async def test_a_language_without_a_voice_is_refused_in_json(web, lang) -> None:
    answer = await web.get(f"/speech/{lang}", params={"text": "سلام"})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "no_voice"


async def test_texts_are_bounded_and_must_say_something(web) -> None:
    too_long = await web.get("/speech/en", params={"text": "word " * 200})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "text_too_long"
    assert too_long.json()["error"]["details"] == {"max_chars": 600}
    empty = await web.get("/speech/en", params={"text": " \u0000\n "})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_text"


def test_dari_is_read_with_the_persian_voice_and_pashto_sorani_somali_have_none() -> None:
    assert voice_for("prs") == "fa" and voice_for("fa") == "fa"
    assert {code: voice_for(code) for code in ("pl", "uk", "ru", "ar", "ur", "en")} == {
        "pl": "pl", "uk": "uk", "ru": "ru", "ar": "ar", "ur": "ur", "en": "en",
    }  # fmt: skip
    assert voice_for("zh") == "cmn"
    assert [voice_for(code) for code in ("ps", "ckb", "so", "xx")] == [None, None, None, None]
    assert clean_text("a\u0000b\tc\u200b  d") == "a b c d"


async def test_every_page_offers_read_aloud_in_the_citys_languages_with_a_voice(web, platform) -> None:
    page = await web.get("/lublin/ar/processes/lublin-temporary-residence")
    box = re.search(
        r'<div class="read-aloud" data-read-aloud hidden data-lang="ar"\s+data-voices="([^"]*)"', page.text
    )
    assert box, page.text[:3000]
    async with httpx.AsyncClient(base_url=platform["content"]) as content:
        city = next(c for c in (await content.get("/cities")).json() if c["id"] == "lublin")
    # Lublin's twelve languages all have a voice (Dari is read by the Persian one)
    assert (
        set(box.group(1).split())
        == set(city["languages"])
        == {*"pl en uk ru ar zh prs es nl de ur it".split()}
    )
    for address in ("/lublin/en", "/lublin/uk/organisations", "/lublin/en/search?q=karta"):
        assert "data-read-aloud" in (await web.get(address)).text, address


async def test_a_language_without_a_voice_gets_a_note_instead_of_a_button(web, platform, auth_header) -> None:
    city = await asyncio.to_thread(
        new_city, platform["content"], auth_header("platform_admin"), languages=LANGUAGES, prefix="voices"
    )
    pashto = await web.get(f"/{city}/ps")
    assert pashto.status_code == 200
    assert 'data-voices="pl prs"' in pashto.text
    assert 'Read-aloud is not available in <bdi lang="ps">پښتو</bdi> yet.' in pashto.text
    dari = await web.get(f"/{city}/prs")
    assert 'data-lang="prs"' in dari.text and 'data-voices="pl prs"' in dari.text
