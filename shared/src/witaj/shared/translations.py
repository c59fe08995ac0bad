"""The translation workflow every multilingual item follows, in content and events alike.

An item has one source language and text per language. Each language's translation has a state
(missing → draft → in translation → translated → reviewed → published) and remembers the source revision
it was made from. Editing the source makes published translations *outdated* — still served, so readers
are not left without text, but flagged for translators — unless the editor marks the edit as minor, in
which case up-to-date translations are carried forward to the new revision.

The model is pure (no database, no web), so services store `ItemTranslations` inside their documents and
call these functions inside their own transactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.shared.errors import ApiError


class TranslationState(StrEnum):
    MISSING = "missing"
    DRAFT = "draft"
    IN_TRANSLATION = "in_translation"
    TRANSLATED = "translated"
    REVIEWED = "reviewed"
    PUBLISHED = "published"


_ORDER = list(TranslationState)

# Forward one step at a time, back to any earlier working state (a reviewer sends text back), and straight
# to published from reviewed only: nothing reaches readers unreviewed. Missing is reached only by deletion.
ALLOWED: dict[TranslationState, set[TranslationState]] = {
    TranslationState.MISSING: {TranslationState.DRAFT, TranslationState.IN_TRANSLATION},
    TranslationState.DRAFT: {TranslationState.IN_TRANSLATION, TranslationState.TRANSLATED},
    TranslationState.IN_TRANSLATION: {TranslationState.DRAFT, TranslationState.TRANSLATED},
    TranslationState.TRANSLATED: {
        TranslationState.DRAFT,
        TranslationState.IN_TRANSLATION,
        TranslationState.REVIEWED,
    },
    TranslationState.REVIEWED: {
        TranslationState.DRAFT,
        TranslationState.IN_TRANSLATION,
        TranslationState.PUBLISHED,
    },
    TranslationState.PUBLISHED: {
        TranslationState.DRAFT,
        TranslationState.IN_TRANSLATION,
        TranslationState.REVIEWED,
    },
}


class InvalidTransition(ApiError):
    def __init__(self, language: str, current: TranslationState, wanted: TranslationState) -> None:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "none"
        super().__init__(
            409,
            "invalid_translation_transition",
            f"The '{language}' translation is {current.value} and cannot become {wanted.value} (allowed: {allowed})",
            details={"language": language, "state": current.value, "wanted": wanted.value},
        )


def require_publisher(state: TranslationState, may_publish: bool) -> None:
    """Translators draft, translate and review; only an editor of the item publishes a translation
    (content and events alike), so nothing reaches readers without the owner's say."""
    if state is TranslationState.PUBLISHED and not may_publish:
        raise ApiError(403, "forbidden", "Translators prepare and review; an editor of the item publishes")


class Translation(BaseModel):
    """One language of one item."""

    model_config = ConfigDict(frozen=True)

    language: str
    state: TranslationState = TranslationState.MISSING
    source_revision: int = Field(default=0, ge=0, description="Source revision this text was translated from")
    fields: dict[str, str] = Field(
        default_factory=dict, description="Translated text per field (title, body…)"
    )
    machine_translated: bool = False
    updated_by: str | None = None
    updated_at: datetime | None = None

    def outdated(self, source_revision: int) -> bool:
        return self.state is not TranslationState.MISSING and self.source_revision < source_revision


class ItemTranslations(BaseModel):
    """Source language, current source revision and every translation of one item."""

    model_config = ConfigDict(frozen=True)

    source_language: str
    source_revision: int = Field(default=1, ge=1)
    translations: dict[str, Translation] = Field(default_factory=dict)

    def get(self, language: str) -> Translation:
        return self.translations.get(language) or Translation(language=language)

    def published_languages(self) -> list[str]:
        """Languages readers may see: the source and every published translation (outdated included)."""
        found = [self.source_language]
        found += [lang for lang, t in self.translations.items() if t.state is TranslationState.PUBLISHED]
        return sorted(set(found), key=found.index)

    def status(self, languages: list[str]) -> dict[str, LanguageStatus]:
        """State of each of the city's languages for this item (the source language is always current)."""
        result: dict[str, LanguageStatus] = {}
        for language in languages:
            if language == self.source_language:
                result[language] = LanguageStatus(
                    state=TranslationState.PUBLISHED, outdated=False, source=True
                )
                continue
            translation = self.get(language)
            result[language] = LanguageStatus(
                state=translation.state,
                outdated=translation.outdated(self.source_revision),
                machine_translated=translation.machine_translated,
                source_revision=translation.source_revision,
            )
        return result

    def with_translation(
        self,
        language: str,
        *,
        state: TranslationState,
        fields: dict[str, str] | None = None,
        by: str | None = None,
        machine_translated: bool = False,
    ) -> ItemTranslations:
        """Move one language to `state` (optionally with new text); refuses illegal transitions."""
        if language == self.source_language:
            raise ApiError(
                409, "source_language", f"'{language}' is the item's source language; edit the item itself"
            )
        current = self.get(language)
        if state is not current.state and state not in ALLOWED[current.state]:
            raise InvalidTransition(language, current.state, state)
        text_changed = fields is not None and fields != current.fields
        updated = current.model_copy(
            update={
                "state": state,
                "fields": fields if fields is not None else current.fields,
                # New text is made from the current source; a state change alone keeps its provenance.
                "source_revision": self.source_revision
                if text_changed or not current.fields
                else current.source_revision,
                "machine_translated": machine_translated if text_changed else current.machine_translated,
                "updated_by": by,
                "updated_at": datetime.now(UTC),
            }
        )
        return self.model_copy(update={"translations": {**self.translations, language: updated}})

    def after_source_edit(self, *, minor: bool = False) -> ItemTranslations:
        """The source changed: bump the revision; a minor edit carries current translations forward."""
        revision = self.source_revision + 1
        translations = self.translations
        if minor:
            translations = {
                lang: t.model_copy(update={"source_revision": revision})
                if not t.outdated(self.source_revision)
                else t
                for lang, t in self.translations.items()
            }
        return self.model_copy(update={"source_revision": revision, "translations": translations})

    def needs_work(self, languages: list[str]) -> dict[str, str]:
        """Languages that need a translator, with why: 'missing', 'outdated' or 'unpublished'."""
        reasons: dict[str, str] = {}
        for language, status in self.status(languages).items():
            if status.source:
                continue
            if status.state is TranslationState.MISSING:
                reasons[language] = "missing"
            elif status.outdated:
                reasons[language] = "outdated"
            elif status.state is not TranslationState.PUBLISHED:
                reasons[language] = "unpublished"
        return reasons


class LanguageStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    state: TranslationState
    outdated: bool
    source: bool = False
    machine_translated: bool = False
    source_revision: int = 0


def translations_of(doc: Mapping[str, Any]) -> ItemTranslations:
    """The translations a stored item keeps under `translations` (content items and events alike)."""
    return ItemTranslations.model_validate(doc["translations"])
