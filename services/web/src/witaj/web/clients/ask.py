"""The ask API as the migrant pages use it: instant answers, asking a counsellor, the question's thread.

A question belongs to nobody with an account: the ask service hands out a private token once, when the
question is asked, and every later call about it (reading the thread, answering a counsellor's question
back, closing, erasing) carries it in `X-Question-Token`. Nothing here is kept in memory or shared
between readers.
"""

from __future__ import annotations

from witaj.web.clients.base import BackendClient

QUESTION_TOKEN_HEADER = "X-Question-Token"  # noqa: S105 - a header name, not a secret


class AskClient(BackendClient):
    service = "ask"
