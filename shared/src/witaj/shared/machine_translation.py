"""Machine translation through a LibreTranslate-compatible server, shared by the services that draft with it.

Content drafts translations of items with it; the ask service drafts a question in the city's language
for counsellors. It is off unless a deployment names a server, and each city decides with its
`machine_translation` feature whether its texts may leave the platform for that server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, Field, SecretStr
from witaj.shared.errors import ApiError


class MachineTranslationSettings(BaseModel):
    """A LibreTranslate-compatible server for machine drafts; with no URL the feature is off."""

    url: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="Base URL of a LibreTranslate-compatible server (POST <url>/translate); unset: off",
    )
    api_key: SecretStr | None = Field(default=None, description="Sent as `api_key` when the server wants one")
    timeout_seconds: float = Field(
        default=30, gt=0, le=300, description="How long to wait for one item's draft"
    )
    max_chars: int = Field(
        default=30_000, ge=100, le=1_000_000, description="Most source text sent for one item's draft"
    )


MAX_ERROR_CHARS = 200


class MachineTranslator(Protocol):
    """Anything that turns texts from one language into another, in order, one result per text."""

    async def translate(self, texts: list[str], *, source: str, target: str) -> list[str]: ...


def _failed(message: str, details: Any = None) -> ApiError:
    return ApiError(502, "machine_translation_failed", message, details)


class LibreTranslate:
    """The LibreTranslate HTTP API: POST /translate with q (a list of texts), source, target, format."""

    def __init__(self, settings: MachineTranslationSettings, http: httpx.AsyncClient) -> None:
        assert settings.url, "only built when a server is configured"
        self.url = settings.url.rstrip("/") + "/translate"
        self.api_key = settings.api_key.get_secret_value() if settings.api_key else None
        self.timeout = settings.timeout_seconds
        self.http = http

    async def translate(self, texts: list[str], *, source: str, target: str) -> list[str]:
        payload: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            response = await self.http.post(self.url, json=payload, timeout=self.timeout)
        except httpx.TimeoutException:
            raise ApiError(
                504,
                "machine_translation_timeout",
                f"The machine translation server did not answer within {self.timeout:g} s; nothing was saved",
            ) from None
        except httpx.HTTPError as exc:
            raise _failed(
                f"The machine translation server could not be reached ({type(exc).__name__}); nothing was saved"
            ) from None
        if response.status_code != 200:
            raise _failed(
                f"The machine translation server refused the draft (HTTP {response.status_code}); nothing was saved",
                details={"status": response.status_code, "reason": _reason(response)},
            )
        return _translated_texts(response, len(texts))


def _reason(response: httpx.Response) -> str:
    """The server's own error text (LibreTranslate answers {"error": "..."}), shortened."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:MAX_ERROR_CHARS]
    error = body.get("error") if isinstance(body, dict) else None
    return str(error or body)[:MAX_ERROR_CHARS]


def _translated_texts(response: httpx.Response, expected: int) -> list[str]:
    try:
        translated = response.json()["translatedText"]
    except (ValueError, KeyError, TypeError):
        raise _failed("The machine translation server answered without a translation") from None
    if isinstance(translated, str) and expected == 1:
        translated = [translated]
    if (
        not isinstance(translated, list)
        or len(translated) != expected
        or not all(isinstance(text, str) and text.strip() for text in translated)
    ):
        raise _failed(f"The machine translation server did not return {expected} non-empty texts")
    return translated


@asynccontextmanager
async def translator(
    settings: MachineTranslationSettings, user_agent: str = "witaj"
) -> AsyncIterator[MachineTranslator | None]:
    """The configured translator for the service's lifetime, or None when no server is configured."""
    if not settings.url:
        yield None
        return
    async with httpx.AsyncClient(headers={"User-Agent": user_agent}) as http:
        yield LibreTranslate(settings, http)
