"""Recent listings: readers share a listing's read for a moment, and a change this replica makes to a
city's agenda is never shown late by it."""

from __future__ import annotations

import pytest
from witaj.events.recent_listings import RecentListings

pytestmark = pytest.mark.unit


class Reads:
    """A database read that answers the current stored state and counts how often it ran."""

    def __init__(self) -> None:
        self.stored = [{"_id": "e1", "title": "old"}]
        self.count = 0

    async def __call__(self) -> list[dict]:
        self.count += 1
        return [dict(doc) for doc in self.stored]


async def test_readers_of_one_listing_share_a_read_while_it_is_fresh() -> None:
    listings, reads = RecentListings(60), Reads()
    first = await listings.read("lublin", "week", reads)
    again = await listings.read("lublin", "week", reads)
    other = await listings.read("lublin", "free only", reads)
    assert first == again == other and reads.count == 2, "one read per listing, not per reader"


async def test_nothing_is_kept_when_the_time_is_zero() -> None:
    listings, reads = RecentListings(0), Reads()
    await listings.read("lublin", "week", reads)
    await listings.read("lublin", "week", reads)
    assert reads.count == 2


async def test_a_change_to_the_city_is_shown_at_once_and_other_cities_keep_theirs() -> None:
    listings, reads = RecentListings(60), Reads()
    await listings.read("lublin", "week", reads)
    await listings.read("zamosc", "week", reads)

    listings.changing("lublin")  # staged in a transaction
    during = await listings.read("lublin", "week", reads)  # read before the commit: the old state
    reads.stored[0]["title"] = "new"
    listings.committed()
    after = await listings.read("lublin", "week", reads)
    assert during[0]["title"] == "old" and after[0]["title"] == "new", "the read during the change was kept"
    await listings.read("zamosc", "week", reads)
    assert reads.count == 4, "another city's listing was forgotten too"


async def test_a_read_overlapping_a_commit_is_not_kept() -> None:
    listings, reads = RecentListings(60), Reads()

    async def committing_meanwhile() -> list[dict]:
        answer = await reads()  # the old state
        listings.changing("lublin")
        reads.stored[0]["title"] = "new"
        listings.committed()
        return answer

    assert (await listings.read("lublin", "week", committing_meanwhile))[0]["title"] == "old"
    assert (await listings.read("lublin", "week", reads))[0]["title"] == "new"


async def test_the_documents_kept_are_bounded_over_all_listings() -> None:
    listings, reads = RecentListings(60, most=3), Reads()
    for key in range(10):
        await listings.read("lublin", key, reads)
    assert len(listings._entries) == 3
    await listings.read("lublin", 9, reads)
    assert reads.count == 10, "the newest listing is still kept"

    reads.stored *= 4  # a listing larger than everything kept may hold
    await listings.read("lublin", "large", reads)
    await listings.read("lublin", "large", reads)
    assert reads.count == 12 and len(listings._entries) == 3, "a listing over the bound was kept"
