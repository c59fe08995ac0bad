"""Every Witaj event type, registered in `witaj.shared.envelope.registry` on import.

Add a new event as a frozen model in the module of its domain with a past-tense name and
`@event_type("<domain>.<what_happened>")`. Adding an optional field keeps the version; any other
change bumps `class_version` and adds `upcast_v<n>_v<n+1>` beside the model.
"""

from witaj.shared.envelope import Envelope, EventData, registry, wrap
from witaj.shared.events.agenda import (
    AgendaItemCancelled,
    AgendaItemPublished,
    AgendaItemUnpublished,
    AgendaItemUpdated,
    AttendanceRecorded,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
    RegistrationStatus,
)
from witaj.shared.events.ask import (
    QuestionAnswered,
    QuestionAsked,
    QuestionAskedBack,
    QuestionClosed,
    QuestionHandedOver,
    Resolution,
)
from witaj.shared.events.cities import CityConfig, CityConfigured, Feature, Topic, TopicTreeChanged
from witaj.shared.events.content import (
    ContentKind,
    ContentPublished,
    ContentUnpublished,
    ContentUpdated,
    FeedbackSubmitted,
    TranslationStateChanged,
    UserType,
)
from witaj.shared.events.notify import (
    BroadcastSent,
    Channel,
    NotificationDelivered,
    NotificationFailed,
    NotificationOpened,
)
from witaj.shared.events.stats import (
    Cell,
    IndicatorCell,
    IndicatorDatasetSubmitted,
    IndicatorRow,
    IndicatorUpdated,
    RollupUpdated,
)
from witaj.shared.events.usage import AgendaItemViewed, InstantAnswersShown, PageViewed, SearchPerformed

__all__ = [
    "AgendaItemCancelled",
    "AgendaItemPublished",
    "AgendaItemUnpublished",
    "AgendaItemUpdated",
    "AgendaItemViewed",
    "AttendanceRecorded",
    "BroadcastSent",
    "Cell",
    "Channel",
    "CityConfig",
    "CityConfigured",
    "ContentKind",
    "ContentPublished",
    "ContentUnpublished",
    "ContentUpdated",
    "Envelope",
    "EventData",
    "Feature",
    "FeedbackSubmitted",
    "IndicatorCell",
    "IndicatorDatasetSubmitted",
    "IndicatorRow",
    "IndicatorUpdated",
    "InstantAnswersShown",
    "NotificationDelivered",
    "NotificationFailed",
    "NotificationOpened",
    "PageViewed",
    "QuestionAnswered",
    "QuestionAsked",
    "QuestionAskedBack",
    "QuestionClosed",
    "QuestionHandedOver",
    "RegistrationCancelled",
    "RegistrationCreated",
    "RegistrationPromoted",
    "RegistrationStatus",
    "Resolution",
    "RollupUpdated",
    "SearchPerformed",
    "Topic",
    "TopicTreeChanged",
    "TranslationStateChanged",
    "UserType",
    "registry",
    "wrap",
]
