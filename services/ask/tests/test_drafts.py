"""Machine drafts of migrants' messages in the city's language, only where the city allows it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from witaj.ask.settings import AskSettings
from witaj.devkit.machine_translation import KEY, FakeLibreTranslate, translation_server
from witaj.devkit.testing import serve, wait_until
from witaj.shared.events import Feature
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.shared.machine_translation import MachineTranslationSettings

from .conftest import GDANSK, LUBLIN, Counsellor, Migrant, running


@pytest.fixture
def server() -> Iterator[tuple[FakeLibreTranslate, str]]:
    with translation_server() as found:
        yield found


@pytest.fixture
def settings(make_settings, server) -> AskSettings:
    mt = MachineTranslationSettings(url=server[1], api_key=KEY, timeout_seconds=2)
    return make_settings(AskSettings, machine_translation=mt)


async def test_questions_get_a_draft_in_the_citys_language_where_the_city_allows_it(
    settings, clock, server, auth_header
) -> None:
    fake, _ = server
    machine = sorted(DEFAULT_FEATURES | {Feature.MACHINE_TRANSLATION})
    app = await running(settings, clock, LUBLIN.model_copy(update={"features": machine}), GDANSK)
    async with serve(app) as http:
        cities = app.state.runtime.cities
        await wait_until(lambda: cities.get("lublin") and cities.get("gdansk"), message="both cities")
        for city in ("lublin", "gdansk"):
            migrant = Migrant(http, city)
            await migrant.ask("Як отримати страховку?", language="uk")
            await migrant.send()
            counsellor = Counsellor(http, auth_header("counsellor", city=city, org="caritas"), city)
            await counsellor.profile(["uk"])
            if city == "lublin":
                first = await wait_until(
                    lambda c=counsellor, m=migrant: _draft(c, m.id), message="the machine draft"
                )
                assert first == {
                    "language": "pl",
                    "text": "[pl] Як отримати страховку?",
                    "machine_translated": True,
                }
                thread = (await migrant.thread()).json()
                assert "draft" not in thread["messages"][0]  # the migrant reads their own words
        questions = app.state.ask.store.questions
        gdansk = await wait_until(
            lambda: questions.find_one({"city": "gdansk", "drafts_due_at": {"$exists": False}}),
            message="Gdańsk's question settled without a draft",
        )
        assert "draft" not in gdansk["messages"][0]
        assert [call["source"] for call in fake.calls] == ["uk"]  # Gdańsk's question never left the platform


async def _draft(counsellor: Counsellor, question: str) -> dict | None:
    return (await counsellor.get(question)).json()["messages"][0]["draft"]
