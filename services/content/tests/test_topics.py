"""The topic tree: seeded with every city, read in the reader's language, changed by the city's admins,
announced on `city.config`, and the only topics items may carry."""

from __future__ import annotations

import pytest
from witaj.content.default_topics import DEFAULT_TOPICS
from witaj.content.main import create_app
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.shared.envelope import registry
from witaj.shared.events import TopicTreeChanged
from witaj.shared.topics import CITY_CONFIG

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}"
TREE = f"{BASE}/workbench/topics"
DEFAULTS = {t.id: t for t in DEFAULT_TOPICS}
LEGAL_AID = {"id": "legal-aid", "parent": "residence", "labels": {"pl": "Pomoc prawna", "en": "Legal aid"}}


@pytest.fixture
def admin(auth_header) -> dict[str, str]:
    return auth_header("city_admin", city=CITY["id"])


def flatten(nodes: list[dict]) -> dict[str, dict]:
    found = {}
    for node in nodes:
        found[node["id"]] = node
        found.update(flatten(node["children"]))
    return found


async def test_a_new_city_gets_the_default_tree_labelled_by_its_fallback_chain(client) -> None:
    ukrainian = (await client.get(f"{BASE}/topics", params={"lang": "uk"})).json()
    top = [node["id"] for node in ukrainian["topics"]]
    assert {"housing", "residence", "health", "work", "education", "language", "family", "money"} <= set(top)
    assert "everyday-life" in top and len(top) == len(set(top))
    health = next(node for node in ukrainian["topics"] if node["id"] == "health")
    assert "health-insurance" in [child["id"] for child in health["children"]]
    nodes = flatten(ukrainian["topics"])
    assert set(nodes) == set(DEFAULTS)
    assert all(n["label"] == DEFAULTS[i].labels["uk"] and not n["fallback"] for i, n in nodes.items())

    # Gdańsk offers Persian, but the default tree is labelled in Dari, not Persian: its chain answers.
    persian = (await client.get(f"{BASE}/topics", headers={"Accept-Language": "fa-IR"})).json()
    assert persian["language"] == "fa"
    labels = flatten(persian["topics"])
    assert all(n["language"] == "en" and n["fallback"] for n in labels.values())
    assert labels["health-insurance"]["label"] == DEFAULTS["health-insurance"].labels["en"]

    arabic = await client.get(f"{BASE}/topics", params={"lang": "ar"})
    assert arabic.json()["rtl"] is True and arabic.headers["Content-Language"] == "ar"
    assert flatten(arabic.json()["topics"])["work"]["label"] == DEFAULTS["work"].labels["ar"]
    german = flatten((await client.get(f"{BASE}/topics", params={"lang": "de"})).json()["topics"])
    assert german["work"] == {**german["work"], "label": "Arbeit", "language": "de", "fallback": False}


async def test_admins_add_rename_move_and_remove_topics_and_each_change_is_announced(
    client, admin, settings
) -> None:
    start = await client.get(TREE, headers=admin)
    assert start.status_code == 200 and start.headers["ETag"] == '"1"'

    added = await client.post(TREE, json=LEGAL_AID, headers={**admin, "If-Match": '"1"'})
    assert added.status_code == 201, added.text
    assert added.headers["ETag"] == '"2"'
    stale = await client.post(TREE, json={**LEGAL_AID, "id": "x"}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "revision_mismatch"
    again = await client.post(TREE, json=LEGAL_AID, headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "topic_exists"

    renamed = await client.patch(
        f"{TREE}/legal-aid", json={"labels": {"en": "Free legal aid"}}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    english = flatten((await client.get(f"{BASE}/topics", params={"lang": "en"})).json()["topics"])
    assert english["legal-aid"]["label"] == "Free legal aid"
    assert "legal-aid" in [c["id"] for c in english["residence"]["children"]]
    polish = flatten((await client.get(f"{BASE}/topics", params={"lang": "pl"})).json()["topics"])
    assert polish["legal-aid"]["label"] == "Pomoc prawna"  # the other labels stay

    moved = await client.patch(f"{TREE}/legal-aid", json={"parent": None}, headers=admin)
    assert {"id": "legal-aid", "parent": None} == {
        k: v for t in moved.json()["topics"] if t["id"] == "legal-aid" for k, v in t.items() if k != "labels"
    }
    top = (await client.get(f"{BASE}/topics")).json()["topics"]
    assert "legal-aid" in [node["id"] for node in top]

    removed = await client.delete(f"{TREE}/legal-aid", headers=admin)
    assert removed.status_code == 200 and removed.headers["ETag"] == '"5"'
    assert "legal-aid" not in flatten((await client.get(f"{BASE}/topics")).json()["topics"])

    records = await read_topic(settings.kafka, CITY_CONFIG, count=6)
    trees = [
        (r.key, registry.decode(r.value).data)
        for r in records
        if isinstance(registry.decode(r.value).data, TopicTreeChanged)
    ]
    assert [tree.revision for _, tree in trees] == [1, 2, 3, 4, 5]
    assert {key for key, _ in trees} == {f"{CITY['id']}/topics".encode()}
    by_revision = {tree.revision: {t.id: t for t in tree.topics} for _, tree in trees}
    assert by_revision[3]["legal-aid"].labels["en"] == "Free legal aid"
    assert by_revision[4]["legal-aid"].parent is None
    assert "legal-aid" not in by_revision[5] and set(by_revision[5]) == set(DEFAULTS)


async def test_only_admins_of_the_city_change_its_tree(client, auth_header) -> None:
    for headers, status in [
        ({}, 401),
        (auth_header("pa_editor", city=CITY["id"]), 403),
        (auth_header("translator", city=CITY["id"]), 403),
        (auth_header("city_admin", city="krakow"), 403),
    ]:
        assert (await client.get(TREE, headers=headers)).status_code == status
        assert (await client.post(TREE, json=LEGAL_AID, headers=headers)).status_code == status
        assert (await client.delete(f"{TREE}/health-insurance", headers=headers)).status_code == status
    platform = auth_header("platform_admin")
    assert (await client.post(TREE, json=LEGAL_AID, headers=platform)).status_code == 201
    assert (await client.get(TREE, headers=platform)).headers["ETag"] == '"2"'


async def test_a_topic_in_use_or_with_subtopics_stays(client, api, admin) -> None:
    item = await api.create("pages", {**PAGE, "topics": ["health-insurance"]})
    in_use = await client.delete(f"{TREE}/health-insurance", headers=admin)
    assert in_use.status_code == 409
    error = in_use.json()["error"]
    assert error["code"] == "topic_in_use" and "health-insurance" in error["message"]
    assert error["details"] == {"count": 1, "items": [item["id"]]}

    parent = await client.delete(f"{TREE}/health", headers=admin)
    assert parent.status_code == 409 and parent.json()["error"]["code"] == "topic_has_children"
    cycle = await client.patch(f"{TREE}/health", json={"parent": "health-insurance"}, headers=admin)
    assert cycle.status_code == 422 and cycle.json()["error"]["code"] == "topic_cycle"
    orphan = await client.post(TREE, json={**LEGAL_AID, "parent": "nowhere"}, headers=admin)
    assert orphan.status_code == 422 and orphan.json()["error"]["code"] == "unknown_parent"
    assert (await client.get(TREE, headers=admin)).headers["ETag"] == '"1"'  # nothing was written


async def test_items_carry_only_topics_of_the_tree(client, api, admin) -> None:
    refused = await client.post(
        f"{BASE}/workbench/pages",
        json={"content": {**PAGE, "topics": ["housing", "astrology"]}},
        headers=api.headers,
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "unknown_topic" and "'astrology'" in error["message"]
    assert error["details"] == {"unknown": ["astrology"]}
    assert (await client.get(f"{BASE}/workbench/pages", headers=api.headers)).json()["total"] == 0

    item = await api.create("pages", PAGE)
    edit = {"content": {**PAGE, "topics": ["sport"]}}
    assert (
        await client.put(f"{BASE}/workbench/pages/{item['id']}", json=edit, headers=api.headers)
    ).status_code == 422
    sport = {"id": "sport", "parent": "everyday-life", "labels": {"pl": "Sport", "en": "Sport"}}
    assert (await client.post(TREE, json=sport, headers=admin)).status_code == 201
    edited = await client.put(f"{BASE}/workbench/pages/{item['id']}", json=edit, headers=api.headers)
    assert edited.status_code == 200 and edited.json()["content"]["topics"] == ["sport"]

    unknown_group = {"content": {**PAGE, "user_types": ["tourist"]}}
    refused = await client.post(f"{BASE}/workbench/pages", json=unknown_group, headers=api.headers)
    assert refused.status_code == 422 and "user_types" in refused.json()["error"]["message"]


async def test_a_city_stored_before_trees_existed_gets_one_at_start(settings) -> None:
    async with serve(create_app(settings)) as client:
        state = client._transport.app.state.content
        await state.cities.collection.insert_one(
            {"_id": "torun", "config": {**CITY, "id": "torun", "name": "Toruń"}, "revision": 1}
        )
        assert await state.topic_trees.collection.find_one({"_id": "torun"}) is None
    async with serve(create_app(settings)) as client:
        state = client._transport.app.state.content
        stored = await state.topic_trees.get("torun")
        assert stored.revision == 1 and [t.id for t in stored.topics] == list(DEFAULTS)
        outbox = state.runtime.outbox
        await wait_until(lambda: _none_pending(outbox), message="the outbox relay to publish the tree")
    announced = [registry.decode(r.value) for r in await read_topic(settings.kafka, CITY_CONFIG, count=1)]
    assert [(e.city, e.data.revision) for e in announced if isinstance(e.data, TopicTreeChanged)] == [
        ("torun", 1)
    ]


async def _none_pending(outbox) -> bool:
    return await outbox.pending_count() == 0
