"""Messages to migrants are not kept for ever: the deliveries collection carries a TTL index that
follows `notify.retention_days`, and a changed retention replaces it; finished fan-out jobs go after the
same time, running ones stay."""

from __future__ import annotations

from datetime import timedelta

from notify_helpers import notify_service, services_of
from witaj.notify.mailbox import Mailbox

DAY = 86_400


async def test_deliveries_expire_after_the_configured_retention(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        mailbox = services_of(client).mailbox
        indexes = await mailbox.collection.index_information()
        assert indexes["retention"]["key"] == [("created_at", 1)]
        assert indexes["retention"]["expireAfterSeconds"] == settings.notify.retention_days * DAY

        shorter = Mailbox(mailbox.collection.database, mailbox.outbox, timedelta(days=30))
        await shorter.ensure_indexes()
        indexes = await mailbox.collection.index_information()
        assert indexes["retention"]["expireAfterSeconds"] == 30 * DAY
        await shorter.ensure_indexes()  # unchanged: nothing to replace
        assert (await mailbox.collection.index_information())["retention"]["expireAfterSeconds"] == 30 * DAY


async def test_finished_fanout_jobs_expire_with_the_deliveries(settings, publisher) -> None:
    async with notify_service(settings, publisher) as client:
        jobs = services_of(client).fanout.jobs
        index = (await jobs.index_information())["retention"]
        assert index["key"] == [("done_at", 1)], "only a finished job has the date the index reads"
        assert index["expireAfterSeconds"] == settings.notify.retention_days * DAY
