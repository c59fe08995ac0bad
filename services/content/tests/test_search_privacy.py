"""What a search query carries out of the content service: no e-mail address, phone or document number."""

from __future__ import annotations

from witaj.devkit.testing import read_topic
from witaj.shared.envelope import registry
from witaj.shared.redaction import redact
from witaj.shared.topics import USAGE

from .conftest import CITY

TYPED = "Jan.Kowalski@example.com +48 600 123 456 passport AB1234567 PESEL 90010112345 meldunek"


async def test_identifiers_typed_into_search_never_reach_the_usage_stream(client, settings) -> None:
    response = await client.get(f"/cities/{CITY['id']}/search", params={"q": TYPED, "lang": "pl"})
    assert response.status_code == 200 and response.json()["total"] == 0
    [record] = await read_topic(settings.kafka, USAGE, count=1)
    query = registry.decode(record.value).data.query
    assert query == "[email] [number] passport [id] pesel [number] meldunek"
    for secret in ("kowalski", "example.com", "600", "123 456", "1234567", "90010112345"):
        assert secret not in record.value.decode(), f"{secret!r} left the content service"


def test_what_people_look_for_is_kept() -> None:
    for query in ("800 plus", "zasiłek 2026", "kod 20-001 lublin", "karta pobytu", "ab12 room 3"):
        assert redact(query) == query
    assert redact("tel. (81) 466-10-00") == "tel. [number]"
    assert redact("ID x1y2z3a4b5c6 lost") == "ID [id] lost"
