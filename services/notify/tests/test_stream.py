"""The live inbox over real HTTP (Server-Sent Events): own messages only, in the subscriber's language,
and a reconnect with Last-Event-ID that loses nothing."""

from __future__ import annotations

from datetime import timedelta

from notify_helpers import (
    content_published,
    device,
    live_notify_service,
    open_stream,
    publish_content,
    subscribe,
)
from witaj.devkit.testing import wait_until


async def _jobs_done(app, count: int) -> bool:
    return await app.state.notify.fanout.jobs.count_documents({"state": "done"}) == count


async def test_a_connected_client_gets_its_own_messages_live_in_its_language(settings, publisher) -> None:
    async with live_notify_service(settings, publisher) as (client, app):
        olena = await subscribe(client, topics=["housing"], language="uk")
        amal = await subscribe(client, topics=["housing", "work"], language="ar")
        forbidden = await client.get(f"/subscriptions/{amal['id']}/stream", headers=device(olena))
        assert forbidden.status_code == 403

        async with open_stream(client, olena) as olena_stream, open_stream(client, amal) as amal_stream:
            both = content_published(["housing"])
            await publish_content(publisher, both)
            uk = await olena_stream.next_message()
            assert uk["id"].startswith(str(both.id)) and uk["id"].endswith(f"{olena['id']}:inbox")
            assert uk["language"] == "uk" and uk["rtl"] is False and "Житло" in uk["title"]
            ar = await amal_stream.next_message()
            assert ar["id"].startswith(str(both.id)) and ar["id"].endswith(f"{amal['id']}:inbox")
            assert ar["language"] == "ar" and ar["rtl"] is True and "السكن" in ar["title"]

            only_amal = content_published(["work"])
            await publish_content(publisher, only_amal)
            await wait_until(lambda: _jobs_done(app, 2), message="the work item fanned out")
            sentinel = content_published(["housing"])
            await publish_content(publisher, sentinel)
            # Streams keep order: had Olena been sent Amal's message, it would come before this one.
            assert (await olena_stream.next_message())["id"].startswith(str(sentinel.id))
            assert (await amal_stream.next_message())["id"].startswith(str(only_amal.id))
            assert (await amal_stream.next_message())["id"].startswith(str(sentinel.id))


async def test_reconnecting_with_last_event_id_resumes_without_loss(settings, publisher) -> None:
    async with live_notify_service(settings, publisher) as (client, app):
        olena = await subscribe(client, topics=["housing"], language="uk")
        first = content_published(["housing"])
        async with open_stream(client, olena) as stream:
            await publish_content(publisher, first)
            seen = await stream.next_message()

        # Offline: one message fanned out, then more than a page of others (stored as the fan-out
        # stores them), one of them already read on another device.
        box = app.state.notify.mailbox.collection
        missed = content_published(["housing"])
        await publish_content(publisher, missed)
        await wait_until(lambda: _jobs_done(app, 2), message="the missed item fanned out")
        stored = await box.find_one({"source_event": str(missed.id)})
        later = [
            {
                **stored,
                "_id": f"e{n:03}:{olena['id']}:inbox",
                "created_at": stored["created_at"] + timedelta(seconds=n),
            }
            for n in range(1, 151)
        ]
        later[7]["read_at"] = later[7]["created_at"]
        await box.insert_many(later)

        async with open_stream(client, olena, last_event_id=seen["id"]) as stream:
            expected = [stored["_id"], *(doc["_id"] for doc in later)]
            got = [(await stream.next_message())["id"] for _ in expected]
            assert got == expected  # oldest first, none lost, the one already seen not again
            live = content_published(["housing"])
            await publish_content(publisher, live)
            assert (await stream.next_message())["id"].startswith(str(live.id))

        async with open_stream(client, olena) as fresh:  # no Last-Event-ID: the newest unread
            first_unread = await fresh.next_message()
            assert first_unread["read"] is False and first_unread["id"] in expected


async def test_a_message_another_replica_stored_reaches_a_connected_client(settings, publisher) -> None:
    """Only the replica running a fan-out hands messages to its streams at once; a client connected
    to another replica still gets them, from its stream's catch-up reads of the stored inbox."""
    quick = settings.model_copy(
        update={"notify": settings.notify.model_copy(update={"stream_catch_up_seconds": 0.3})}
    )
    async with live_notify_service(quick, publisher) as (client, app):
        olena = await subscribe(client, topics=["housing"], language="uk")
        first = content_published(["housing"])
        await publish_content(publisher, first)
        await wait_until(lambda: _jobs_done(app, 1), message="the first item fanned out")
        box = app.state.notify.mailbox.collection
        stored = await box.find_one({"source_event": str(first.id)})
        await box.update_one({"_id": stored["_id"]}, {"$set": {"read_at": stored["created_at"]}})

        async with open_stream(client, olena) as stream:
            elsewhere = {
                **stored,
                "_id": f"elsewhere:{olena['id']}:inbox",
                "created_at": stored["created_at"] + timedelta(seconds=1),
                "read_at": None,
            }
            await box.insert_one(elsewhere)  # as the other replica's fan-out stores it: no local hub
            arrived = await stream.next_message(timeout=5)
            assert arrived["id"] == elsewhere["_id"] and arrived["language"] == "uk"
            live = content_published(["housing"])
            await publish_content(publisher, live)
            assert (await stream.next_message())["id"].startswith(str(live.id))  # and nothing twice
