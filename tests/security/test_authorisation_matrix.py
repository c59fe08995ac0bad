"""Every mutating route of every service, found from the routes themselves, is protected.

A new route cannot be forgotten: it is behind a bearer token, or behind the owner's own credential (a
device's or registrant's token, `owner_credential`), or declared a public write (and then rate limited).
On the running platform, every bearer-protected write refuses anonymous callers with 401, owner-protected
writes never succeed without the owner's credential, and no role of another city can change anything in
the demo city.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from starlette.routing import BaseRoute
from witaj.shared.auth import OWNER_CREDENTIAL, current_principal
from witaj.shared.ratelimit import PUBLIC_WRITE, RateLimit

from .conftest import APPS

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("migrant", "pa_editor", "ngo_editor", "translator", "analyst", "city_admin", "platform_admin")
CITY_BOUND_ROLES = [r for r in ROLES if r != "platform_admin"]  # platform admins serve every city
SERVICES = list(APPS)


def app_of(service: str) -> FastAPI:
    make, settings_class = APPS[service]
    return make(settings_class())  # routes exist as soon as the app is built; nothing connects yet


@dataclass(frozen=True)
class Write:
    """A mutating route as served: its full path and every dependency it runs (router-level ones too)."""

    route: APIRoute
    path: str
    include_dependencies: tuple[object, ...]

    @property
    def methods(self) -> set[str]:
        return set(self.route.methods) & MUTATING

    @property
    def openapi_extra(self) -> dict[str, object]:
        return self.route.openapi_extra or {}

    def calls(self) -> list[object]:
        return [*self.include_dependencies, *calls(self.route.dependant)]


def calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from calls(dependency)


def served_routes(
    routes: list[BaseRoute], prefix: str = "", dependencies: tuple[object, ...] = ()
) -> Iterator[Write]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as nested route objects)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield Write(route, prefix + route.path, dependencies)
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            context = route.include_context
            extra = tuple(d.dependency for d in context.dependencies)
            yield from served_routes(
                route.original_router.routes, prefix + context.prefix, dependencies + extra
            )


def mutating_routes(app: FastAPI) -> list[Write]:
    found = [w for w in served_routes(app.routes) if w.methods]
    return found


def protection(route: Write) -> str:
    """How a write is guarded: "public" (anyone, rate limited), "bearer", "owner" or "none"."""
    needed = route.calls()
    if route.openapi_extra.get(PUBLIC_WRITE):
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


def aimed_at_the_demo_city(case) -> None:
    if case.path_parameters and "city" in case.path_parameters:
        case.path_parameters["city"] = "lublin"
    if isinstance(case.body, dict) and "city" in case.body:
        case.body["city"] = "lublin"


MATRIX_SETTINGS = settings(
    max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def check_operation(operation, guard: str, mint, problems: list[str]) -> None:
    """A few generated requests: bearer routes refuse anonymous callers with 401, owner routes never
    succeed for them; callers from another city never get a 2xx unless the write is public."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @MATRIX_SETTINGS
    def check(case) -> None:
        aimed_at_the_demo_city(case)
        anonymous = case.call()
        if (guard == "bearer" and anonymous.status_code != 401) or (
            guard == "owner" and anonymous.status_code < 400
        ):
            problems.append(f"{label} anonymous -> {anonymous.status_code}")
        for role in CITY_BOUND_ROLES:
            token = mint(role, city="gdansk", org="someone-elses-org")
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if 200 <= response.status_code < 300 and guard != "public":
                problems.append(f"{label} as {role} of another city -> {response.status_code}")

    check()


@pytest.mark.parametrize("service", SERVICES)
def test_anonymous_and_foreign_callers_change_nothing(service: str, live_platform, mint) -> None:
    schema = schemathesis.openapi.from_url(f"{live_platform[service]}/openapi.json")
    guards = {
        (method, route.path): protection(route)
        for route in mutating_routes(app_of(service))
        for method in route.methods
    }
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in MUTATING:
            continue
        guard = guards[(operation.method.upper(), operation.path)]
        check_operation(operation, guard, mint, problems)
    assert not problems, "\n".join(sorted(set(problems)))
