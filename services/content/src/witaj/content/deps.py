"""What routes get from the composition root (`main.py`): one typed container, `Services`, kept on
`app.state.content`, and `Annotated` dependencies for the parts most routes use. Routes ask for these
instead of reaching into the application's state, so their signatures say what they work with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pymongo.asynchronous.collection import AsyncCollection
from witaj.content.cache import PublishedCache
from witaj.content.cities import CityStore
from witaj.content.search_index import SearchIndex
from witaj.content.settings import ContentSettings
from witaj.content.store import ItemStore
from witaj.content.topic_tree import TopicTreeStore
from witaj.shared.demand import Demand
from witaj.shared.deps import from_state
from witaj.shared.machine_translation import MachineTranslator
from witaj.shared.mongo import Document
from witaj.shared.runtime import Runtime


@dataclass(frozen=True)
class Services:
    """Everything the content service holds for its lifetime, built once by `main.py`."""

    runtime: Runtime
    settings: ContentSettings
    items: ItemStore
    """Items in every status: the workbench's and the writers' store."""
    published: PublishedCache
    """Published items per city, as readers get them; follows `services.items` on every replica."""
    search_index: SearchIndex
    cities: CityStore
    topic_trees: TopicTreeStore
    feedback: AsyncCollection[Document]
    gaps: AsyncCollection[Document]
    """Searches readers reported as finding nothing."""
    suggestions: AsyncCollection[Document]
    """Readers' corrections and tips on items."""
    demand: Demand
    """Views per item and language asked for (the translators' dashboard orders by it)."""
    machine_translator: MachineTranslator | None
    """None unless a machine translation server is configured."""


def services_in(request: Request) -> Services:
    """The container, for the busiest route, which reads it without any dependency (see `reading`)."""
    return request.app.state.content  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(from_state("content"))]
RuntimeDep = Annotated[Runtime, Depends(from_state("content", "runtime"))]
ItemsDep = Annotated[ItemStore, Depends(from_state("content", "items"))]
PublishedDep = Annotated[PublishedCache, Depends(from_state("content", "published"))]
CitiesDep = Annotated[CityStore, Depends(from_state("content", "cities"))]
TopicTreesDep = Annotated[TopicTreeStore, Depends(from_state("content", "topic_trees"))]
