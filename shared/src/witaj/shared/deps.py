"""Dependencies that hand routes what a service's composition root built, by name.

Each service's `main.py` keeps everything it built in one typed container on `app.state.<service>`;
its `deps.py` turns the container and its parts into `Annotated` dependencies with `from_state`. They are
coroutines because FastAPI runs a plain-function dependency in a worker thread on every request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request


def from_state(service: str, part: str | None = None) -> Callable[[Request], Awaitable[Any]]:
    """A dependency giving `app.state.<service>`, or its attribute `part`."""

    async def held(request: Request) -> Any:
        container = getattr(request.app.state, service)
        return container if part is None else getattr(container, part)

    held.__qualname__ = f"{service}.{part}" if part else service
    return held
