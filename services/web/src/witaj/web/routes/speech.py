"""Read-aloud audio: `GET /speech/{lang}?text=...` answers the text spoken in that language, as MP3.

The page's script asks for this only when the reader's browser has no voice of its own for the
language, one passage at a time (see `static/js/read-aloud.js`). It is a GET so that browsers and the
gateway can cache it: the same passage in the same language is the same audio for everyone. Answers are
JSON errors a script can act on, not pages: no voice (404), a text too long or empty (400), or the
voices busy (503, try again).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from witaj.web.deps import WebDep
from witaj.web.speech import NoVoice, SpeechBusy, clean_text
from witaj.web.speech_worker import SpeechFailed

router = APIRouter()
CACHE_SECONDS = 7 * 24 * 3600


def refusal(status: int, code: str, message: str, **details: object) -> JSONResponse:
    headers = {"Retry-After": "10"} if status == 503 else None
    body = {"error": {"code": code, "message": message, "details": details or None}}
    return JSONResponse(body, status_code=status, headers=headers)


@router.get("/speech/{lang}")
async def speech(lang: str, request: Request, web: WebDep) -> Response:
    limit = web.settings.speech.max_chars
    raw = request.query_params.get("text", "")
    if len(raw) > limit * 2:  # before any work on it: white space collapses, but not by half
        return refusal(400, "text_too_long", f"Texts are read {limit} characters at a time", max_chars=limit)
    text = clean_text(raw)
    if not text:
        return refusal(400, "empty_text", "There is no text to read")
    if len(text) > limit:
        return refusal(400, "text_too_long", f"Texts are read {limit} characters at a time", max_chars=limit)
    try:
        key, audio = await web.speech.audio(lang[:12], text)
    except NoVoice:
        return refusal(404, "no_voice", "There is no voice for this language", language=lang[:12])
    except (SpeechBusy, SpeechFailed) as exc:
        return refusal(503, "speech_unavailable", "The text could not be read just now", reason=str(exc))
    etag = f'"{key}"'
    headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}", "ETag": etag, "Content-Language": lang}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(audio, media_type="audio/mpeg", headers=headers)
