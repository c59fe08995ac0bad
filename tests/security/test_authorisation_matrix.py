"""Every mutating route of every service, found from the routes themselves, refuses whoever may not use it.

A new route cannot be forgotten: it is behind a bearer token, or behind the owner's own credential (a
device's or registrant's token, `owner_credential`), or declared a public write (and then rate limited);
and it needs an entry in `CASES` below, or in `EXEMPT` with the reason, or this test fails.

Each case prepares a real object of the demo city through the APIs (an organisation's content item or
event, a registration, a device subscription with a message, a pending comment, a reader's tip, a topic,
a migrant's question) and a request its owner may make. Every role of another city (carrying the owning
organisation's name), and the case's outsiders of the same city (another organisation's editors, an
editor without an organisation claim, roles that do not do this, another person's device, registrant or
question token), must get 403, and those who do such things but not with this object and may not learn
it exists (another organisation's counsellor, for a question), 404; anonymous callers 401 (or 401/403 for
owner-credential routes). Then the owner sends the same request and gets through,
which shows the request was valid and nothing earlier had changed the object: only permission refused.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from witaj.devkit.testing import ServedRoute, served_routes
from witaj.shared.auth import OWNER_CREDENTIAL, current_principal
from witaj.shared.ratelimit import PUBLIC_WRITE, RateLimit

from .conftest import APPS
from .matrix_cases import CASES, EXEMPT, ROLES, Case
from .matrix_world import OTHER_CITY, OWNER_ORG, World

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
CITY_BOUND_ROLES = [r for r in ROLES if r != "platform_admin"]  # platform admins serve every city
SERVICES = list(APPS)


def app_of(service: str) -> FastAPI:
    make, settings_class = APPS[service]
    return make(settings_class())  # routes exist as soon as the app is built; nothing connects yet


def mutating_routes(app: FastAPI) -> list[ServedRoute]:
    return [served for served in served_routes(app.routes) if served.methods & MUTATING]


def protection(route: ServedRoute) -> str:
    """How a write is guarded: "public" (anyone, rate limited), "bearer", "owner" or "none"."""
    needed = route.calls()
    if (route.route.openapi_extra or {}).get(PUBLIC_WRITE):
        return "public" if any(isinstance(call, RateLimit) for call in needed) else "none"
    if current_principal in needed:
        return "bearer"
    if any(getattr(call, OWNER_CREDENTIAL, False) for call in needed):
        return "owner"
    return "none"


@pytest.mark.parametrize("service", SERVICES)
def test_every_write_needs_a_token_or_is_a_rate_limited_public_write(service: str) -> None:
    writes = mutating_routes(app_of(service))
    assert writes, f"{service} has no write routes at all? the route walk is broken"
    unprotected = [
        f"{sorted(route.methods)} {route.path}: no bearer token, owner's credential or rate-limited public marker"
        for route in writes
        if protection(route) == "none"
    ]
    assert not unprotected, "\n".join(unprotected)


def route_keys() -> dict[tuple[str, str, str], str]:
    """Every mutating (service, method, path) the apps serve, with how it is guarded."""
    return {
        (service, method, route.path): protection(route)
        for service in SERVICES
        for route in mutating_routes(app_of(service))
        for method in sorted(route.methods & MUTATING)
    }


def test_every_mutating_route_is_in_the_matrix_or_exempt_with_a_reason() -> None:
    served = route_keys()
    missing = sorted(key for key in served if key not in CASES and key not in EXEMPT)
    assert not missing, f"add these routes to CASES (or EXEMPT, saying why): {missing}"
    assert not sorted((set(CASES) | set(EXEMPT)) - set(served)), "the matrix names routes no app serves"
    assert {served[key] for key in EXEMPT} == {"public"}, "only public writes are exempt"


@pytest.fixture(scope="module")
def world(live_platform, mint) -> World:
    return World(live_platform, mint)


def variants() -> list[object]:
    """Every case of every route (a route may have several: an organisation's object, a city's)."""
    found = []
    for key in sorted(CASES):
        cases = CASES[key] if isinstance(CASES[key], tuple) else (CASES[key],)
        names = ("", " (city-owned)") if len(cases) == 2 else ("",)
        found += [
            pytest.param(key, case, id=" ".join(key) + name) for case, name in zip(cases, names, strict=True)
        ]  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize(("key", "case"), variants())
def test_callers_of_another_city_or_organisation_are_refused(
    key: tuple[str, str, str], case: Case, world: World
) -> None:
    service, method, path = key
    request = case.prepare(world)
    foreign = [
        (
            f"{name} of {OTHER_CITY} ({OWNER_ORG})",
            (lambda name: lambda w, _: w.as_(name, city=OTHER_CITY, org=OWNER_ORG))(name),
        )
        for name in CITY_BOUND_ROLES
    ]
    wrong = {}
    for label, headers in [*foreign, *case.outsiders]:
        response = world.call(service, method, path, request, headers(world, request))
        if response.status_code != 403:
            wrong[label] = f"{response.status_code} {response.text[:160]}"
    assert not wrong, f"{method} {path} should be 403 for: {wrong}"
    told = {}
    for label, headers in case.hidden_from:
        response = world.call(service, method, path, request, headers(world, request))
        if response.status_code != 404:
            told[label] = f"{response.status_code} {response.text[:160]}"
    assert not told, f"{method} {path} should be 404 (nothing there) for: {told}"

    anonymous = world.call(service, method, path, request, {}).status_code
    guard = route_keys()[key]
    assert anonymous == 401 if guard == "bearer" else anonymous in (401, 403), (guard, anonymous)

    if case.owner_gets is None:
        return
    owner = world.call(service, method, path, request, case.owner(world, request))
    expected = case.owner_gets or frozenset(range(200, 300))
    assert owner.status_code in expected, f"the owner was refused: {owner.status_code} {owner.text[:300]}"
