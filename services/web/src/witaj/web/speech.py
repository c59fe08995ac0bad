"""Read-aloud audio for readers whose browser has no voice for their language.

Which languages have a voice is read from the voice data espeak-ng ships (`espeakng-loader`): Polish,
Ukrainian, Russian, Arabic, Persian (Dari readers hear it), Urdu, Chinese (Mandarin) and many more;
Pashto, Sorani and Somali have none, and the pages say so instead of offering a button.

Synthesis is CPU work, so it never runs on the event loop: `Speech` hands it to a few worker processes
(`speech_worker.py`), at most `speech.workers` at a time with at most `speech.max_waiting` queued behind
them (more are refused at once, 503), each within `speech.timeout_seconds` (the worker stops itself at
the same deadline). Texts are bounded (`speech.max_chars`), the same text asked for by many readers is
synthesised once, and answers are kept in a memory bounded in bytes (`speech.cache_bytes`).
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import unicodedata
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache, partial
from pathlib import Path

import espeakng_loader
from witaj.shared.languages import LANGUAGES
from witaj.shared.logging import get_logger
from witaj.web import speech_worker
from witaj.web.settings import SpeechSettings

log = get_logger("witaj.web.speech")
ESPEAK_VOICES = {"prs": "fa", "zh": "cmn", "kmr": "ku"}
"""Witaj's language code -> espeak-ng's voice, where they differ (Dari is read with the Persian voice)."""
AUDIO_SECONDS_PER_CHAR = 0.25
"""A generous bound on speech per character (espeak reads about 12-15 characters a second)."""


@cache
def espeak_voices() -> frozenset[str]:
    """The voices in the shipped voice data (the file names under `espeak-ng-data/lang/`)."""
    root = Path(espeakng_loader.get_data_path()) / "lang"
    return frozenset(path.name for path in root.rglob("*") if path.is_file())


def voice_for(language: str) -> str | None:
    """espeak-ng's voice for a Witaj language, or None when espeak-ng has none for it."""
    if language not in LANGUAGES:
        return None
    voice = ESPEAK_VOICES.get(language, language)
    return voice if voice in espeak_voices() else None


def clean_text(text: str) -> str:
    """What is read: the text with control characters gone and white space collapsed."""
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    return " ".join(kept.split())


class NoVoice(Exception):
    """No voice for this language."""


class SpeechBusy(Exception):
    """Too many texts waiting, or this one was not ready in time: try again later."""


class Speech:
    """The worker processes, the limits and the memory of answers; one per app (see `main.py`)."""

    def __init__(self, settings: SpeechSettings) -> None:
        self.settings = settings
        self.cache: OrderedDict[str, bytes] = OrderedDict()
        self.cached_bytes = 0
        self.running: dict[str, asyncio.Future[bytes]] = {}
        self.slots = asyncio.Semaphore(settings.workers)
        self.queued = 0
        self.pool: ProcessPoolExecutor | None = None

    def has_voice(self, language: str) -> bool:
        return self.settings.enabled and voice_for(language) is not None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    async def audio(self, language: str, text: str) -> tuple[str, bytes]:
        """(key, MP3) of `text` read in `language`; the key names the text and voice, for ETags."""
        voice = voice_for(language) if self.settings.enabled else None
        if voice is None:
            raise NoVoice(language)
        digest = hashlib.sha256(f"{voice}\n{self.settings.words_per_minute}\n{text}".encode()).hexdigest()
        key = digest[:32]
        found = self.cache.get(key)
        if found is not None:
            self.cache.move_to_end(key)
            return key, found
        running = self.running.get(key)
        if running is None:
            if self.queued >= self.settings.workers + self.settings.max_waiting:
                raise SpeechBusy("too many texts waiting")
            running = asyncio.ensure_future(self._synthesise(voice, text))
            self.running[key] = running
            running.add_done_callback(partial(self._finished, key))
        try:
            audio = await asyncio.wait_for(asyncio.shield(running), self.settings.timeout_seconds)
        except TimeoutError:
            raise SpeechBusy("not ready in time") from None
        return key, audio

    def _finished(self, key: str, done: asyncio.Future[bytes]) -> None:
        self.running.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return
        audio = done.result()
        if len(audio) > self.settings.cache_bytes:
            return
        self.cache[key] = audio
        self.cached_bytes += len(audio)
        while self.cached_bytes > self.settings.cache_bytes:
            _, dropped = self.cache.popitem(last=False)
            self.cached_bytes -= len(dropped)

    async def _synthesise(self, voice: str, text: str) -> bytes:
        """Wait for a worker (counted as queued), then hold it until the worker is really done, even if
        the reader stopped waiting: the slots bound the processes' work, not the readers' patience."""
        self.queued += 1
        try:
            await asyncio.wait_for(self.slots.acquire(), self.settings.timeout_seconds)
        except TimeoutError:
            raise SpeechBusy("no worker free in time") from None
        finally:
            self.queued -= 1
        try:
            work: Future[bytes] = self._pool().submit(
                speech_worker.synthesise,
                voice,
                text,
                words_per_minute=self.settings.words_per_minute,
                seconds=self.settings.timeout_seconds,
                max_audio_seconds=max(10, int(len(text) * AUDIO_SECONDS_PER_CHAR) + 5),
            )
        except BrokenProcessPool:
            self.slots.release()
            self._restart()
            raise SpeechBusy("the speech workers stopped") from None
        loop = asyncio.get_running_loop()
        work.add_done_callback(lambda _: loop.call_soon_threadsafe(self.slots.release))
        try:
            return await asyncio.wrap_future(work)
        except BrokenProcessPool:
            self._restart()
            raise SpeechBusy("a speech worker stopped") from None

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=self.settings.workers,
                mp_context=multiprocessing.get_context("spawn"),  # never fork a process running threads
                initializer=speech_worker.start,
            )
        return self.pool

    def _restart(self) -> None:
        log.warning("speech.workers_restarted")
        self.close()
