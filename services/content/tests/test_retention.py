"""Feedback comments are free text and may say who wrote them: the database deletes feedback once
`feedback_retention_days` have passed (the stats service keeps the counts)."""

from __future__ import annotations


async def test_feedback_expires_after_the_configured_retention(client, settings) -> None:
    collection = client._transport.app.state.content.feedback
    index = (await collection.index_information())["retention"]
    assert index["key"] == [("at", 1)]
    assert index["expireAfterSeconds"] == settings.feedback_retention_days * 86_400
