"""Kafka topic names, in one place, and which event types travel on each.

Names follow `<domain>.<entity stream>`. Events that must stay in order for one entity share a topic and
a key (the aggregate id); city configuration is keyed by city. Every topic has a dead-letter twin,
`<topic>.dlq`, where consumers put messages they cannot process, with the error in the headers.

A deployment may prefix every name (`KafkaSettings.topic_prefix`), which is how tests and several
platforms on one cluster stay apart; code always names topics through these constants.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CONFIG = "city.config"
"""CityConfigured snapshots, keyed by city id, and TopicTreeChanged snapshots, keyed by `<city>/topics`
(two keys, so compaction keeps the latest of each). Every service keeps its own copy."""

CONTENT_ITEMS = "content.items"
"""ContentPublished / ContentUpdated / ContentUnpublished, keyed by item id. Also drives cache invalidation."""

CONTENT_TRANSLATIONS = "content.translations"
"""TranslationStateChanged, keyed by item id."""

CONTENT_FEEDBACK = "content.feedback"
"""FeedbackSubmitted, keyed by item id."""

AGENDA_EVENTS = "agenda.events"
"""AgendaItemPublished / AgendaItemUpdated / AgendaItemCancelled / AgendaItemUnpublished, keyed by event id."""

AGENDA_REGISTRATIONS = "agenda.registrations"
"""RegistrationCreated / Cancelled / Promoted and AttendanceRecorded, keyed by event id."""

ASK_QUESTIONS = "ask.questions"
"""QuestionAsked / Answered / AskedBack / HandedOver / Closed, keyed by question id: ids and states only,
never what anyone wrote."""

USAGE = "usage.events"
"""PageViewed, SearchPerformed, AgendaItemViewed, InstantAnswersShown: fire-and-forget usage signals, keyed
by city."""

NOTIFY_DELIVERIES = "notify.deliveries"
"""NotificationDelivered / Failed / Opened, keyed by subscriber id; BroadcastSent, keyed by broadcast id."""

STATS_ROLLUPS = "stats.rollups"
"""RollupUpdated: privacy-safe absolute counts per city, metric, dimension and window, keyed by city."""

STATS_INDICATORS = "stats.indicators"
"""IndicatorUpdated: a city's integration indicator figures after suppression, keyed by city."""

STATS_INDICATOR_DATASETS = "stats.indicator_datasets"
"""IndicatorDatasetSubmitted: validated uploads on their way from the stats API to its processor."""

DLQ_SUFFIX = ".dlq"

ALL = (
    CITY_CONFIG,
    CONTENT_ITEMS,
    CONTENT_TRANSLATIONS,
    CONTENT_FEEDBACK,
    AGENDA_EVENTS,
    AGENDA_REGISTRATIONS,
    ASK_QUESTIONS,
    USAGE,
    NOTIFY_DELIVERIES,
    STATS_ROLLUPS,
    STATS_INDICATORS,
    STATS_INDICATOR_DATASETS,
)


def dead_letter(topic: str) -> str:
    return topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX


@dataclass(frozen=True)
class TopicNamer:
    """Applies the deployment's topic prefix; the one place a logical name becomes a broker name."""

    prefix: str = ""

    def __call__(self, topic: str) -> str:
        return f"{self.prefix}{topic}"

    def logical(self, name: str) -> str:
        return name[len(self.prefix) :] if self.prefix and name.startswith(self.prefix) else name
