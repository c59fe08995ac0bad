"""Who may do what with content: one place, so the routes and the authorisation matrix test agree.

PA editors and city admins edit anything in their own city; NGO editors only what their organisation
owns, and see only their organisation's drafts, feedback and translation work; translators only
translate, in their own city (an editor of the item publishes the translation); platform admins act
everywhere. Readers need nothing.

An NGO editor's rights hang on the organisation claim of their token. A token without one carries no
NGO rights at all: were it matched against items, "no organisation" would equal the organisation of
every city-owned item.
"""

from __future__ import annotations

from typing import Any

from witaj.shared.auth import Principal, Role, forbid_unless

CITY_EDITORS = (Role.PA_EDITOR, Role.CITY_ADMIN)
TRANSLATORS = (Role.TRANSLATOR, Role.PA_EDITOR, Role.CITY_ADMIN)


def ngo_organisation(principal: Principal) -> str | None:
    """The organisation an NGO editor acts for; None when the caller has no NGO rights."""
    return principal.organisation if principal.has(Role.NGO_EDITOR) else None


def is_staff(principal: Principal | None) -> bool:
    """A caller who works for the platform (any role beyond a migrant's): their lookups are work, such as
    a counsellor finding links for an answer, and are not counted as what readers look at."""
    return principal is not None and bool(principal.roles - {Role.MIGRANT})


def sees_whole_city(principal: Principal, city: str) -> bool:
    """Staff who see every item of the city, drafts included: its editors, admins and translators."""
    return principal.is_platform_admin or (
        principal.in_city(city) and principal.has(*CITY_EDITORS, Role.TRANSLATOR)
    )


def may_create(principal: Principal, city: str) -> bool:
    if principal.is_platform_admin:
        return True
    return principal.in_city(city) and (
        principal.has(*CITY_EDITORS) or ngo_organisation(principal) is not None
    )


def may_edit(principal: Principal, item: dict[str, Any]) -> bool:
    if principal.is_platform_admin:
        return True
    if not principal.in_city(item["city"]):
        return False
    if principal.has(*CITY_EDITORS):
        return True
    organisation = ngo_organisation(principal)
    return organisation is not None and item.get("organisation") == organisation


def may_translate(principal: Principal, item: dict[str, Any]) -> bool:
    """Prepare, review or withdraw translations; also who may see the item on the workbench."""
    if may_edit(principal, item):
        return True
    return principal.in_city(item["city"]) and principal.has(Role.TRANSLATOR)


def may_see_workbench(principal: Principal, city: str) -> bool:
    """Drafts, dashboards, feedback scores and moderation: the city's editorial staff, NGO editors
    limited to their organisation's part (see `workbench_scope`)."""
    return sees_whole_city(principal, city) or (
        principal.in_city(city) and ngo_organisation(principal) is not None
    )


def workbench_scope(principal: Principal, city: str) -> dict[str, Any]:
    """The part of the city's items the caller may see on the workbench, as a filter on items: all of
    them for the city's staff, their organisation's for an NGO editor. 403 for anyone else."""
    require_workbench(principal, city)
    if sees_whole_city(principal, city):
        return {}
    return {"organisation": ngo_organisation(principal)}


def require_create(principal: Principal, city: str) -> None:
    forbid_unless(may_create(principal, city), f"Only editors of '{city}' may add content there")


def require_edit(principal: Principal, item: dict[str, Any]) -> None:
    forbid_unless(
        may_edit(principal, item),
        "Only the city's editors, or editors of the owning organisation, may change this item",
    )


def require_translate(principal: Principal, item: dict[str, Any]) -> None:
    forbid_unless(
        may_translate(principal, item), "Only the city's translators and editors may translate this"
    )


def require_view(principal: Principal, item: dict[str, Any]) -> None:
    forbid_unless(
        may_translate(principal, item),
        "Only the city's editorial staff, or editors of the owning organisation, may see this item",
    )


def require_workbench(principal: Principal, city: str) -> None:
    forbid_unless(may_see_workbench(principal, city), f"Only editorial staff of '{city}' may see this")


def require_admin(principal: Principal, city: str) -> None:
    forbid_unless(
        principal.may_administer_city(city),
        f"Only a platform admin or a city admin of '{city}' may configure it",
    )
