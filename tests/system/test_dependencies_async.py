"""Every route dependency of every service and the web app is a coroutine.

FastAPI runs a plain-function dependency in a worker thread, once per request: a getter as small as
"the store from the app's state" then costs a thread hand-off, and a dozen of them per request were
most of the registrations' CPU under contention. The dependencies do no blocking work, so they are all
`async def`; this test keeps it so for every route, including dependencies of dependencies.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute
from witaj.ask.main import create_app as ask_app
from witaj.content.main import create_app as content_app
from witaj.events.main import create_app as events_app
from witaj.notify.main import create_app as notify_app
from witaj.stats.main import create_app as stats_app
from witaj.web.main import create_app as web_app

APPS: dict[str, Callable[[], FastAPI]] = {
    "content": content_app,
    "events": events_app,
    "notify": notify_app,
    "stats": stats_app,
    "ask": ask_app,
    "web": web_app,
}


def _called(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _called(sub)


def _calls(routes: Sequence[Any]) -> Iterator[tuple[str, Any]]:
    """(path, dependency) of every route, through included routers and mounts, with the dependencies
    a router was included with."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield from ((route.path, call) for call in _called(route.dependant))
        included = getattr(route, "original_router", None)  # FastAPI keeps included routers whole
        if included is not None:
            for depends in getattr(getattr(route, "include_context", None), "dependencies", []):
                dependant = get_dependant(path="", call=depends.dependency)
                yield from (("(included)", call) for call in [depends.dependency, *_called(dependant)])
            yield from _calls(included.routes)
        elif isinstance(getattr(route, "routes", None), list):
            yield from _calls(route.routes)


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(getattr(call, "__call__", None))


@pytest.mark.parametrize("name", APPS)
def test_no_route_dependency_runs_in_a_thread(name: str) -> None:
    app = APPS[name]()
    calls = list(_calls(app.routes))
    assert len({path for path, _ in calls}) > 3, f"found too few of {name}'s routes to check"
    sync = {
        f"{path} -> {getattr(call, '__qualname__', repr(call))}"
        for path, call in calls
        if not _is_async(call)
    }
    assert not sync, f"plain-function dependencies (each a thread hand-off per request): {sorted(sync)}"
