"""City configuration validation: a city admin's mistakes are caught with a clear reason."""

import pytest
from pydantic import ValidationError
from witaj.shared.events import CityConfig, Feature


def city(**changes):
    values = dict(
        id="lublin", name="Lublin", country="PL", default_language="pl", languages=["pl", "en", "uk"]
    )
    values.update(changes)
    return CityConfig(**values)


def test_a_sound_city_has_default_features() -> None:
    config = city(fallbacks={"uk": ["pl"], "*": ["en"]})
    assert config.has(Feature.EVENTS)
    assert not config.has(Feature.MACHINE_TRANSLATION)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": "Lublin City"}, "city id"),
        ({"country": "Poland"}, "ISO 3166"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"languages": ["pl", "xx"]}, "unknown language"),
        ({"default_language": "de"}, "default_language"),
        ({"languages": ["pl", "pl"]}, "repeat"),
        ({"fallbacks": {"ar": ["pl"]}}, "does not offer"),
        ({"fallbacks": {"uk": ["de"]}}, "unknown language|not offered"),
    ],
)
def test_mistakes_are_refused_with_a_reason(changes: dict, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        city(**changes)
