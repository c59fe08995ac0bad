"""Who may do what with events: editors act for their own organisation, admins for the whole city;
translators prepare and review translations in their city, and an editor of the event publishes them.

An editor's rights hang on the organisation claim of their token: without one an editor acts for nobody.
"""

from __future__ import annotations

from witaj.shared.auth import Principal, Role, forbid_unless
from witaj.shared.errors import ApiError
from witaj.shared.mongo import Document
from witaj.shared.translations import TranslationState, require_publisher

EDITOR_ROLES = (Role.PA_EDITOR, Role.NGO_EDITOR, Role.CITY_ADMIN, Role.PLATFORM_ADMIN)


def organisation_for(principal: Principal, city: str, requested: str | None) -> str:
    """The organisation a new event belongs to; editors may only publish for their own."""
    forbid_unless(principal.has(*EDITOR_ROLES), "Only editors publish events")
    forbid_unless(principal.in_city(city), f"Your account does not belong to '{city}'")
    if principal.may_administer_city(city):
        organisation = requested or principal.organisation
        if not organisation:
            raise ApiError(422, "organisation_required", "Say which organisation organises the event")
        return organisation
    forbid_unless(principal.organisation is not None, "Your account has no organisation")
    forbid_unless(
        requested in (None, principal.organisation), "Editors publish only for their own organisation"
    )
    assert principal.organisation is not None
    return principal.organisation


def may_edit(principal: Principal, doc: Document) -> bool:
    if principal.may_administer_city(doc["city"]):
        return True
    return (
        principal.has(Role.PA_EDITOR, Role.NGO_EDITOR)
        and principal.in_city(doc["city"])
        and principal.organisation is not None
        and principal.organisation == doc["organisation"]
    )


def editor_guard(principal: Principal):  # type: ignore[no-untyped-def]
    """A check run inside the write transaction, on the event as it is stored."""

    def guard(doc: Document) -> None:
        forbid_unless(may_edit(principal, doc), "Only the organising organisation may change this event")

    return guard


def may_translate(principal: Principal, doc: Document) -> bool:
    return may_edit(principal, doc) or (principal.has(Role.TRANSLATOR) and principal.in_city(doc["city"]))


def translator_guard(principal: Principal, state: TranslationState):  # type: ignore[no-untyped-def]
    """A check run inside the translating transaction: translators draft, the organiser publishes."""

    def guard(doc: Document) -> None:
        forbid_unless(may_translate(principal, doc), "Only the organiser or a translator may translate this")
        require_publisher(state, may_edit(principal, doc))

    return guard


def workbench_scope(principal: Principal, city: str) -> dict[str, str]:
    """Which of a city's events someone works on in the back office, as a query: admins and translators
    all of them, drafts included; editors their organisation's; anyone else none (403)."""
    forbid_unless(principal.in_city(city), f"Your account does not belong to '{city}'")
    if principal.may_administer_city(city) or principal.has(Role.TRANSLATOR):
        return {}
    forbid_unless(
        principal.has(Role.PA_EDITOR, Role.NGO_EDITOR) and principal.organisation is not None,
        "Only the city's editors and translators work on its events",
    )
    assert principal.organisation is not None
    return {"organisation": principal.organisation}
