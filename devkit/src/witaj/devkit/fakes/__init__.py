"""Small in-memory stand-ins for the database, the outbox and the publisher: the unit tier's only fakes.

Unit tests (`pytest -m unit`, `make unit`) run handlers and domain rules on these in a fraction of a
second, with no broker and no database; the service and system tests run the same code on the real
embedded ones. The fakes take the same calls the real parts take (`AsyncCollection`, `Outbox`,
`EventPublisher`), for the part of their interface the stores use:

- `FakeDatabase` holds `FakeCollection`s, which keep documents as the database would (copies, so a
  caller never changes a stored document by accident) and understand the query and update operators
  the stores use. An operator they do not know raises `NotImplementedError` rather than answer wrongly.
- `FakeOutbox` runs a unit of work as a transaction: if it raises, the database and the staged events
  are as they were before (`FakeDatabase.snapshot`), as a MongoDB transaction would leave them.
- `FakeInbox` is the real inbox with its transaction on the fake database.
- `FakePublisher` keeps what was published, decoded, in order.
- `FakeRuntime` holds them with a real `CityCatalog` on the fake database, for the stores and workers
  that are built from a service's runtime.
"""

from witaj.devkit.fakes.database import FakeCollection, FakeCursor, FakeDatabase
from witaj.devkit.fakes.documents import matches
from witaj.devkit.fakes.messaging import (
    FakeInbox,
    FakeOutbox,
    FakePublisher,
    FakeRuntime,
    FakeSession,
    Sent,
    Staged,
)

__all__ = [
    "FakeCollection",
    "FakeCursor",
    "FakeDatabase",
    "FakeInbox",
    "FakeOutbox",
    "FakePublisher",
    "FakeRuntime",
    "FakeSession",
    "Sent",
    "Staged",
    "matches",
]
