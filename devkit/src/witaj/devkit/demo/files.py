"""The demo cities as data: reading the files beside this module and checking them (one file is read
by `reading.py`, events and subscriptions by `agenda.py`).

Each city is a folder (see `README.md` there for translators): `city.yaml` with its configuration as the
API takes it, its topic tree and which languages' texts are machine-made; one file per content item in a
folder named like the API's paths (`pages/`, `processes/`, `glossary/`, `organisations/`,
`practices/`); one file per event in `events/`; and `subscriptions.yaml`. A translatable text is written
once per language, side by side, so a translator sees the source next to every translation:

    title:
      pl: Karta pobytu
      en: Residence card

A plain string is the same in every language (an address, a name). Every language's version is checked
by the same models as the services' APIs before anything is written, and a text missing in one of the
city's languages is an error naming the file, the field and the language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from witaj.content.default_topics import DEFAULT_TOPICS
from witaj.content.kinds import MODELS, PATHS, Body, texts_of
from witaj.content.topic_tree import check_tree
from witaj.devkit.demo.agenda import DemoEvent, DemoSubscription, read_event, read_subscriptions
from witaj.devkit.demo.reading import DemoDataError, Where, localise, read
from witaj.shared.events import CityConfig, ContentKind, Topic

HERE = Path(__file__).parent
CITIES = ("lublin", "bologna")
"""Every demo city, in the order they are seeded."""


@dataclass(frozen=True)
class DemoItem:
    """One content item: its body in every language, each validated by the kind's model."""

    id: str
    kind: ContentKind
    organisation: str | None
    source_language: str
    bodies: dict[str, Body]
    machine_translated: frozenset[str]

    @property
    def source(self) -> Body:
        return self.bodies[self.source_language]

    def texts(self, language: str) -> dict[str, str]:
        """The translatable texts in one language, by path (what a translation stores)."""
        return texts_of(self.bodies[language])

    @property
    def translations(self) -> list[str]:
        return [language for language in self.bodies if language != self.source_language]


@dataclass(frozen=True)
class DemoCity:
    config: CityConfig
    topics: list[Topic] | None
    """None: the default tree every new city starts with."""
    machine_translated: frozenset[str]
    items: list[DemoItem] = field(default_factory=list)
    events: list[DemoEvent] = field(default_factory=list)
    subscriptions: list[DemoSubscription] = field(default_factory=list)

    def item(self, item_id: str) -> DemoItem:
        return next(item for item in self.items if item.id == item_id)

    def of_kind(self, kind: ContentKind) -> list[DemoItem]:
        return [item for item in self.items if item.kind is kind]


def load_all(names: tuple[str, ...] | list[str] = CITIES, root: Path = HERE) -> list[DemoCity]:
    """The named cities; a practice's link to a similar one elsewhere must find it when both are loaded."""
    cities = [load_city(name, root) for name in names]
    ids = {city.config.id: {item.id for item in city.items} for city in cities}
    for city in cities:
        for item in city.of_kind(ContentKind.PRACTICE):
            for similar in item.source.model_dump()["similar"]:
                elsewhere = ids.get(similar["city"])
                if similar["item_id"] and elsewhere is not None and similar["item_id"] not in elsewhere:
                    raise DemoDataError(
                        f"{item.id} names a similar practice {similar['item_id']} that is not in the demo"
                    )
    return cities


def load_city(name: str, root: Path = HERE) -> DemoCity:
    folder = root / name
    spec = read(folder / "city.yaml")
    where = Where(folder / "city.yaml")
    config = where.check(lambda: CityConfig.model_validate(spec["config"]), "config")
    languages = list(config.languages)
    machine = frozenset(spec.get("machine_translated", []))
    topics = None
    if spec.get("topics") is not None:
        topics = where.check(lambda: check_tree([Topic.model_validate(t) for t in spec["topics"]]), "topics")
        for topic in topics:
            where.complete(topic.labels, languages, f"topics.{topic.id}.labels")
    items = []
    for kind_path, kind in PATHS.items():
        for path in sorted((folder / kind_path).glob("*.yaml")):
            items.append(_item(path, kind, config, machine))
    # Organisations first: procedures' steps and practices point at them.
    items.sort(key=lambda item: item.kind is not ContentKind.ORGANISATION)
    events = [read_event(path, config, machine) for path in sorted((folder / "events").glob("*.yaml"))]
    subscriptions = []
    if (folder / "subscriptions.yaml").exists():
        subscriptions = read_subscriptions(folder / "subscriptions.yaml", config)
    city = DemoCity(config, topics, machine, items, events, subscriptions)
    _check_references(city, folder)
    return city


def _item(path: Path, kind: ContentKind, config: CityConfig, machine: frozenset[str]) -> DemoItem:
    spec = read(path)
    where = Where(path)
    source = spec.get("source_language", config.default_language)
    order = [source, *(language for language in config.languages if language != source)]
    model = MODELS[kind]
    bodies = {
        language: where.check(
            lambda language=language: model.model_validate(
                localise(spec["content"], language, config.languages, where, "content")
            ),
            f"content ({language})",
        )
        for language in order
    }
    paths = set(texts_of(bodies[source]))
    for language, body in bodies.items():
        if set(texts_of(body)) != paths:
            raise where.fail("content", f"the {language} texts do not have the source's fields")
    return DemoItem(
        id=where.check(lambda: str(spec["id"]), "id"),
        kind=kind,
        organisation=spec.get("organisation"),
        source_language=source,
        bodies=bodies,
        machine_translated=frozenset(spec.get("machine_translated", machine)) - {source},
    )


def _check_references(city: DemoCity, folder: Path) -> None:
    """Ids that items, events and subscriptions point at exist, and topics are in the city's tree."""
    topics = {t.id for t in (city.topics or DEFAULT_TOPICS)}
    ids = {item.id for item in city.items}
    organisations = {item.id for item in city.of_kind(ContentKind.ORGANISATION)}
    where = Where(folder / "city.yaml")
    for item in city.items:
        content = item.source.model_dump()
        steps = content.get("steps", [])
        wanted = [s["organisation_id"] for s in steps if s.get("organisation_id")]
        if any(o not in organisations for o in wanted):
            raise where.fail(item.id, f"steps point at organisations that are not in the demo: {wanted}")
        if any(page not in ids for page in content.get("related_pages", [])):
            raise where.fail(item.id, "related_pages name items that are not in the demo")
        if not set(content.get("topics", [])) <= topics:
            raise where.fail(item.id, f"topics outside the city's tree: {content['topics']}")
    for event in city.events:
        if not set(event.body.get("topics", [])) <= topics:
            raise where.fail(event.id, "topics outside the city's tree")
    for subscription in city.subscriptions:
        if not set(subscription.preferences.topics) <= topics:
            raise where.fail(subscription.id, "topics outside the city's tree")
