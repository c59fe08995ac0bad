"""Reading a demo file: YAML in, each translatable text in one language out, and problems that name the
file and the field (see `files.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from witaj.shared.errors import ApiError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DemoDataError(ValueError):
    """A demo file that does not hold what the platform accepts; the message names the file and field."""


@dataclass(frozen=True)
class Where:
    """A file being read, to say where a problem is."""

    path: Path

    def fail(self, field: str, problem: str) -> DemoDataError:
        return DemoDataError(f"{self.path.parent.name}/{self.path.name}, {field}: {problem}")

    def check(self, build: Any, field: str) -> Any:
        try:
            return build()
        except (ValidationError, ApiError, KeyError, TypeError, ValueError) as exc:
            raise self.fail(field, reason(exc)) from None

    def complete(self, texts: dict[str, Any], languages: list[str], field: str) -> None:
        missing = [language for language in languages if not texts.get(language)]
        extra = sorted(set(texts) - set(languages))
        if missing or extra:
            raise self.fail(field, f"missing {missing}" if missing else f"languages the city lacks {extra}")


def reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    if isinstance(exc, ApiError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise DemoDataError(f"{path.parent.name}/{path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise DemoDataError(f"{path.parent.name}/{path.name} must hold a mapping")
    return data


def is_text(value: Any, languages: list[str]) -> bool:
    """A translatable text: a mapping from language codes (the city's) to strings."""
    return isinstance(value, dict) and bool(value) and set(value) <= set(languages)


def localise(value: Any, language: str, languages: list[str], where: Where, path: str = "") -> Any:
    """`value` with every translatable text replaced by its text in `language`."""
    if is_text(value, languages):
        where.complete(value, languages, path)
        return value[language]
    if isinstance(value, dict):
        return {
            k: localise(v, language, languages, where, f"{path}.{k}".lstrip(".")) for k, v in value.items()
        }
    if isinstance(value, list):
        return [localise(v, language, languages, where, f"{path}.{i}") for i, v in enumerate(value)]
    return value
