"""Who may do what: route by role by own or foreign city and organisation, as one matrix."""

from __future__ import annotations

import pytest

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}/workbench"
OWN, OTHER_CITY = CITY["id"], "krakow"

# (roles, city, organisation) -> expected status for: create, edit the city-hall item, translate it, publish
# the translation, see the dashboard.
MATRIX = [
    ((), None, None, (401, 401, 401, 401, 401)),
    (("migrant",), OWN, None, (403, 403, 403, 403, 403)),
    (("pa_editor",), OWN, "city-hall", (201, 200, 200, 200, 200)),
    (("pa_editor",), OWN, "other-org", (201, 200, 200, 200, 200)),
    (("pa_editor",), OTHER_CITY, "city-hall", (403, 403, 403, 403, 403)),
    (("ngo_editor",), OWN, "city-hall", (201, 200, 200, 200, 200)),
    (("ngo_editor",), OWN, "caritas", (201, 403, 403, 403, 200)),
    (("ngo_editor",), OTHER_CITY, "city-hall", (403, 403, 403, 403, 403)),
    (("translator",), OWN, None, (403, 403, 200, 403, 200)),
    (("translator",), OTHER_CITY, None, (403, 403, 403, 403, 403)),
    (("analyst",), OWN, None, (403, 403, 403, 403, 403)),
    (("city_admin",), OWN, None, (201, 200, 200, 200, 200)),
    (("city_admin",), OTHER_CITY, None, (403, 403, 403, 403, 403)),
    (("platform_admin",), None, None, (201, 200, 200, 200, 200)),
]


@pytest.mark.parametrize(("roles", "city", "org", "expected"), MATRIX)
async def test_authorisation_matrix(client, api, auth_header, roles, city, org, expected) -> None:
    owned = await api.create("pages", PAGE)  # by a city-hall PA editor
    headers = auth_header(*roles, city=city, org=org) if roles else {}
    create = await client.post(f"{BASE}/pages", json={"content": PAGE}, headers=headers)
    edit = await client.put(
        f"{BASE}/pages/{owned['id']}", json={"content": {**PAGE, "title": "Zmiana"}}, headers=headers
    )
    draft = await client.put(
        f"{BASE}/items/{owned['id']}/translations/en",
        json={"state": "draft", "fields": {"title": "A flat"}},
        headers=headers,
    )
    # Publishing a translation needs a reviewed one first; the city's own editor prepares it.
    for state in ("draft", "translated", "reviewed"):
        await client.put(
            f"{BASE}/items/{owned['id']}/translations/de",
            json={"state": state, "fields": {"title": "Wohnung"}},
            headers=api.headers,
        )
    publish = await client.put(
        f"{BASE}/items/{owned['id']}/translations/de", json={"state": "published"}, headers=headers
    )
    board = await client.get(f"{BASE}/translations", headers=headers)
    got = (create.status_code, edit.status_code, draft.status_code, publish.status_code, board.status_code)
    assert got == expected
    if create.status_code == 201 and "ngo_editor" in roles:
        assert create.json()["organisation"] == org  # NGO editors always own what they create
    for response in (create, edit, draft, publish, board):
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
