"""structlog set-up: readable console lines in development, one JSON object per line in production.

Context (request_id, event_id, type, city) is bound with contextvars so every line of one request or
one consumed event carries it. A last processor removes anything that looks like personal data before
a line is written: migrants are vulnerable people and logs travel far.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {
        "email",
        "e_mail",
        "phone",
        "telephone",
        "name",
        "first_name",
        "last_name",
        "full_name",
        "address",
        "street",
        "birth_date",
        "date_of_birth",
        "ip",
        "client_ip",
        "remote_addr",
        "password",
        "token",
        "access_token",
        "authorization",
        "cookie",
        "contact",
        "comment",
        "query",
        "webhook_url",
        "secret",
    }
)
REDACTED = "[redacted]"


def redact_personal_data(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replace values of keys that may hold personal data, at any nesting depth."""
    for key in list(event_dict):
        if key.lower() in PERSONAL_KEYS:
            event_dict[key] = REDACTED
        elif isinstance(event_dict[key], dict):
            event_dict[key] = redact_personal_data(None, "", dict(event_dict[key]))
    return event_dict


def configure_logging(level: str = "INFO", fmt: str = "auto", *, extra_quiet: Iterable[str] = ()) -> None:
    """Configure structlog and route the standard library's logging (uvicorn, aiokafka) through it."""
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        redact_personal_data,
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if fmt == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if fmt == "json" else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Access logs would carry query strings (search terms, tokens); requests are logged by our middleware.
    for noisy in ("uvicorn.access", "aiokafka", "kafka", *extra_quiet):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _identity(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    return event_dict


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
