"""The domain events the content service consumes, and what it does with each.

Every replica follows every topic-tree change and every item event (broadcast consumers), because each
holds its own copies in memory: the topic trees its writes are checked against, and the published
content (with its search index) that readers are served from. A replica also applies its own writes at
once; the events bring everyone else's. Views of pages are counted once across replicas for the
translators' dashboard (`witaj.shared.demand`), when the deployment counts them.
"""

from __future__ import annotations

from witaj.content.cache import PublishedCache
from witaj.content.topic_tree import TopicTreeStore
from witaj.shared.demand import Demand
from witaj.shared.events import ContentPublished, ContentUnpublished, ContentUpdated, TopicTreeChanged
from witaj.shared.handlers import Handlers, Subscription
from witaj.shared.inbox import Inbox
from witaj.shared.topics import CITY_CONFIG, CONTENT_ITEMS


def topic_trees(trees: TopicTreeStore) -> Handlers:
    return Handlers().add(TopicTreeChanged, trees.follow)


def published_cache(cache: PublishedCache) -> Handlers:
    """Published, updated or unpublished: the item is read again, and the search index follows."""
    return (
        Handlers()
        .add(ContentPublished, cache.follow)
        .add(ContentUpdated, cache.follow)
        .add(ContentUnpublished, cache.follow)
    )


def subscriptions(
    trees: TopicTreeStore, cache: PublishedCache, demand: Demand, counted: Inbox | None
) -> list[Subscription]:
    """Content's consumers; page views are counted only with an inbox (`counted`) to count them by."""
    return [
        Subscription("topic-trees", [CITY_CONFIG], topic_trees(trees), broadcast=True),
        Subscription("published-cache", [CONTENT_ITEMS], published_cache(cache), broadcast=True),
        *([demand.counting(counted)] if counted is not None else []),
    ]
