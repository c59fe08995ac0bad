"""Who is signed in to the back office, and what the pages offer them.

The roles, city and organisation are the ones the services read from the same access token
(`witaj.shared.auth`), so the back office and the APIs agree on who someone is. What each role may do
mirrors the content API's rules (`witaj.content.access`) only to decide which links, buttons and forms a
page shows; the APIs decide, and a refusal is shown as such. PA editors and city admins edit anything in
their city; NGO editors only their organisation's items (and without an organisation claim, nothing);
translators translate and review, and an editor of the item publishes the translation; platform admins
act in every city.

Events follow the events API's rules (`witaj.events.auth`), which differ: PA and NGO editors alike act
for their own organisation's events only, city admins for every event of the city, and translators
translate every event of their city; an editor of the event publishes a translation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from witaj.shared.auth import Principal, Role

CITY_EDITORS = (Role.PA_EDITOR, Role.CITY_ADMIN)
COUNSELLING_ROLES = (Role.COUNSELLOR, Role.PA_EDITOR, Role.NGO_EDITOR, Role.CITY_ADMIN)
"""Who answers migrants' questions for their organisation (the ask API's `witaj.ask.access`)."""
OFFICE_ROLES = (*CITY_EDITORS, Role.NGO_EDITOR, Role.TRANSLATOR, Role.COUNSELLOR, Role.PLATFORM_ADMIN)
"""Roles that have work in the back office today (analysts get the insights pages)."""


@dataclass(frozen=True)
class Staff:
    subject: str
    roles: tuple[str, ...]
    city: str | None = None
    organisation: str | None = None
    name: str = ""
    """How the person is greeted (the identity provider's name for them); never logged."""

    @classmethod
    def of(cls, principal: Principal, name: str = "") -> Staff:
        return cls(
            subject=principal.subject,
            roles=tuple(sorted(r.value for r in principal.roles)),
            city=principal.city,
            organisation=principal.organisation,
            name=name[:200],
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Staff:
        return cls(**{**data, "roles": tuple(data.get("roles", ()))})

    @property
    def principal(self) -> Principal:
        known = {r.value for r in Role}
        return Principal(
            subject=self.subject,
            roles=frozenset(Role(r) for r in self.roles if r in known),
            city=self.city,
            organisation=self.organisation,
        )

    def has(self, *roles: Role) -> bool:
        return self.principal.has(*roles)

    @property
    def is_platform_admin(self) -> bool:
        return self.has(Role.PLATFORM_ADMIN)

    @property
    def ngo(self) -> str | None:
        """The organisation an NGO editor acts for; None without NGO rights (or without the claim)."""
        return self.organisation if self.has(Role.NGO_EDITOR) else None

    def in_city(self, city: str) -> bool:
        return self.is_platform_admin or self.city == city

    def sees_whole_city(self, city: str) -> bool:
        """Every item of the city, drafts included: its editors, admins and translators."""
        return self.is_platform_admin or (self.in_city(city) and self.has(*CITY_EDITORS, Role.TRANSLATOR))

    def works_in(self, city: str) -> bool:
        return self.edits_in(city) or self.counsels(city)

    def edits_in(self, city: str) -> bool:
        """Content work of some kind (editing, translating): the city's dashboard is for them."""
        return self.sees_whole_city(city) or (self.in_city(city) and self.ngo is not None)

    def counsels(self, city: str) -> bool:
        """Answers migrants' questions in the city for their organisation (platform admins anywhere)."""
        if self.is_platform_admin:
            return True
        return self.in_city(city) and self.has(*COUNSELLING_ROLES) and self.organisation is not None

    def may_create(self, city: str) -> bool:
        return self.is_platform_admin or (
            self.in_city(city) and (self.has(*CITY_EDITORS) or self.ngo is not None)
        )

    def may_edit(self, item: dict[str, Any]) -> bool:
        if self.is_platform_admin:
            return True
        if not self.in_city(item["city"]):
            return False
        return self.has(*CITY_EDITORS) or (self.ngo is not None and item.get("organisation") == self.ngo)

    def may_administer(self, city: str) -> bool:
        """The city's settings and topic tree: its own admins and platform admins."""
        return self.principal.may_administer_city(city)

    def may_translate(self, item: dict[str, Any]) -> bool:
        return self.may_edit(item) or (self.in_city(item["city"]) and self.has(Role.TRANSLATOR))

    def may_publish_translation(self, item: dict[str, Any]) -> bool:
        return self.may_edit(item)

    def may_broadcast(self, city: str) -> bool:
        """Urgent notices to the city's subscribers (notify's rule): its PA editors and admins."""
        return self.is_platform_admin or (self.in_city(city) and self.has(*CITY_EDITORS))

    @property
    def translates_only(self) -> bool:
        """A translator without editing rights: the pages lead with translation work."""
        return self.has(Role.TRANSLATOR) and not (
            self.has(*CITY_EDITORS) or self.ngo or self.is_platform_admin
        )

    # ------------------------------------------------------------------------------------------ events

    def organises(self, city: str) -> str | None:
        """The organisation a PA or NGO editor publishes events for in the city (None: they do not)."""
        editor = self.has(Role.PA_EDITOR, Role.NGO_EDITOR) and self.in_city(city)
        return self.organisation if editor else None

    def administers(self, city: str) -> bool:
        """City and platform admins act for every organisation's events (and say which one)."""
        return self.principal.may_administer_city(city)

    def works_with_events(self, city: str) -> bool:
        return (
            self.administers(city)
            or self.organises(city) is not None
            or (self.in_city(city) and self.has(Role.TRANSLATOR))
        )

    def may_create_event(self, city: str) -> bool:
        return self.administers(city) or self.organises(city) is not None

    def may_edit_event(self, event: dict[str, Any]) -> bool:
        if self.administers(event["city"]):
            return True
        organisation = self.organises(event["city"])
        return organisation is not None and organisation == event.get("organisation")

    def may_translate_event(self, event: dict[str, Any]) -> bool:
        return self.may_edit_event(event) or (self.in_city(event["city"]) and self.has(Role.TRANSLATOR))
