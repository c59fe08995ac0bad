"""Who may do what with content: one place, so the routes and the authorisation matrix test agree.

PA editors and city admins edit anything in their own city; NGO editors only what their organisation
owns; translators only translate, in their own city; platform admins act everywhere. Readers need nothing.
"""

from __future__ import annotations

from typing import Any

from witaj.shared.auth import Principal, Role, forbid_unless

CITY_EDITORS = (Role.PA_EDITOR, Role.CITY_ADMIN)
TRANSLATORS = (Role.TRANSLATOR, Role.PA_EDITOR, Role.CITY_ADMIN)


def may_create(principal: Principal, city: str) -> bool:
    if principal.is_platform_admin:
        return True
    return principal.in_city(city) and (
        principal.has(*CITY_EDITORS)
        or (principal.has(Role.NGO_EDITOR) and principal.organisation is not None)
    )


def may_edit(principal: Principal, item: dict[str, Any]) -> bool:
    if principal.is_platform_admin:
        return True
    if not principal.in_city(item["city"]):
        return False
    if principal.has(*CITY_EDITORS):
        return True
    return principal.has(Role.NGO_EDITOR) and item.get("organisation") == principal.organisation


def may_translate(principal: Principal, item: dict[str, Any]) -> bool:
    if may_edit(principal, item):
        return True
    return principal.in_city(item["city"]) and principal.has(Role.TRANSLATOR)


def may_see_workbench(principal: Principal, city: str) -> bool:
    """Drafts, dashboards, feedback scores and moderation: the city's editorial staff."""
    return principal.is_platform_admin or (
        principal.in_city(city) and principal.has(*CITY_EDITORS, Role.NGO_EDITOR, Role.TRANSLATOR)
    )


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


def require_workbench(principal: Principal, city: str) -> None:
    forbid_unless(may_see_workbench(principal, city), f"Only editorial staff of '{city}' may see this")
