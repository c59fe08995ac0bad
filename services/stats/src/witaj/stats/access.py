"""Who may read a city's statistics: its analysts and admins (and platform admins) every dashboard; its
editors and translators also what readers looked for and the languages in demand."""

from __future__ import annotations

from witaj.shared.auth import Principal, Role
from witaj.shared.errors import Forbidden

READERS = (Role.ANALYST, Role.CITY_ADMIN, Role.PLATFORM_ADMIN)
GAP_READERS = (*READERS, Role.PA_EDITOR, Role.NGO_EDITOR, Role.TRANSLATOR)
"""Information gaps and language demand tell the city's editors and translators what to write or
translate next; they count searches and views, never people, so they may read them too."""


def reader(principal: Principal, city: str, roles: tuple[Role, ...] = READERS) -> None:
    if not principal.has(*roles):
        raise Forbidden(f"This needs one of the roles: {', '.join(r.value for r in roles)}")
    if not principal.in_city(city):
        raise Forbidden(f"Your account may not read the statistics of {city!r}")
