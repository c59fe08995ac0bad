"""Speech synthesis inside a worker process: espeak-ng (the library and voice data shipped by the PyPI
wheel `espeakng-loader`, called through ctypes) renders text to 16-bit PCM, LAME (`lameenc`) packs it
as a small MP3.

This module runs only in the worker processes `speech.Speech` starts: espeak-ng keeps global state
(one synthesis at a time per process), and a C library fed with text from the web must not be able to
take the web app down with it. Each synthesis enforces its own deadline and audio length from inside
espeak's callback, so a worker is never busy for longer than it was allowed.
"""

from __future__ import annotations

import ctypes
import time
from typing import Any

import espeakng_loader
import lameenc

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
CHARS_UTF8 = 1
END_PAUSE = 0x1000
POS_CHARACTER = 1
PARAMETER_RATE = 1
BUFFER_MS = 200
MP3_KBPS = 32
"""Plenty for one synthetic voice at espeak's 22,050 Hz; about 4 kB per second of speech."""

_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class SpeechFailed(Exception):
    """espeak-ng refused the voice or the text, or the synthesis ran past its limits."""


class _Engine:
    def __init__(self) -> None:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
            ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, data, INITIALIZE_DONT_EXIT
        )
        if self.sample_rate <= 0:
            raise SpeechFailed("espeak-ng did not start")
        self.lib = lib
        self.parts: list[bytes] = []
        self.samples = 0
        self.max_samples = 0
        self.deadline = 0.0
        self.stopped: str | None = None
        self.callback = _Callback(self._collect)  # kept referenced: espeak calls it for the process's life
        lib.espeak_SetSynthCallback(self.callback)

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if wav and count > 0:
            self.parts.append(ctypes.string_at(wav, count * 2))
            self.samples += count
        if self.samples > self.max_samples:
            self.stopped = "audio longer than allowed"
        elif time.monotonic() > self.deadline:
            self.stopped = "took longer than allowed"
        return 1 if self.stopped else 0  # 1 tells espeak to stop

    def pcm(
        self, voice: str, text: str, *, words_per_minute: int, seconds: float, max_audio_seconds: int
    ) -> bytes:
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SpeechFailed(f"no voice {voice!r}")
        self.lib.espeak_SetParameter(PARAMETER_RATE, words_per_minute, 0)
        self.parts, self.samples, self.stopped = [], 0, None
        self.max_samples = max_audio_seconds * self.sample_rate
        self.deadline = time.monotonic() + seconds
        encoded = text.encode("utf-8") + b"\0"
        error = self.lib.espeak_Synth(
            encoded, len(encoded), 0, POS_CHARACTER, 0, CHARS_UTF8 | END_PAUSE, None, None
        )
        if self.stopped:
            raise SpeechFailed(self.stopped)
        if error != 0:
            raise SpeechFailed(f"espeak-ng error {error}")
        return b"".join(self.parts)


_engine: _Engine | None = None


def start() -> None:
    """The worker process's initializer: load the library and its voices once."""
    global _engine
    _engine = _Engine()


def synthesise(
    voice: str, text: str, *, words_per_minute: int, seconds: float, max_audio_seconds: int
) -> bytes:
    """MP3 of `text` spoken by espeak-ng's `voice`; raises SpeechFailed past `seconds` of work or
    `max_audio_seconds` of audio."""
    if _engine is None:
        start()
    assert _engine is not None
    pcm = _engine.pcm(
        voice, text, words_per_minute=words_per_minute, seconds=seconds, max_audio_seconds=max_audio_seconds
    )
    if not pcm:
        raise SpeechFailed("nothing to say")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_KBPS)
    encoder.set_in_sample_rate(_engine.sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(7)  # LAME's fast end: the voice is synthetic, finesse buys nothing audible
    return bytes(encoder.encode(pcm) + encoder.flush())
