"""Composition root of the ask service: settings, infrastructure, stores, routes, workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from witaj.ask import counselling_api, faq, handlers, questions_api
from witaj.ask.deps import Services
from witaj.ask.drafts import DraftWorker
from witaj.ask.rules import SOURCE
from witaj.ask.settings import AskSettings
from witaj.ask.store import Clock, Housekeeping, QuestionStore, utc_now
from witaj.shared.logging import configure_logging
from witaj.shared.machine_translation import translator
from witaj.shared.runtime import Runtime
from witaj.shared.topics import ASK_QUESTIONS
from witaj.shared.web import create_service_app, serve_forever

DESCRIPTION = """
Ask a person: migrants' questions answered by the city's counsellors (PA and NGO staff).

**Migrants** need no account. `POST /cities/{city}/questions` asks (a rate-limited public write); the
answer's `token` (shown once) goes in the `X-Question-Token` header of every later call. A question
starts at the instant-answer stage (show the content service's `GET /cities/{city}/answers` for it);
`send` puts it before the counsellors, `close` with `answered: true` closes it ("this answered my
question"). To be told when a counsellor writes, name your notify subscription and prove it is yours
(its `X-Subscriber-Token`): notify puts a notice in that inbox (and sends an e-mail if you confirmed an
address there); the text stays here. `DELETE` erases your question at once; otherwise it is erased
after the retention in this service's settings.

**Counsellors** (role `counsellor`, or PA/NGO editors and city admins, with an organisation) set the
topics they answer and the languages they read, then work their queue: claim, answer, ask back, hand
over to another organisation, close, report abuse. A question is shown only to counsellors who may
answer it (city, language, topic, organisation). With the migrant's consent, editors turn an answered
question into an anonymised FAQ draft for the content service.

Events on `ask.questions` carry ids, topic, language and state only. Errors always have the shape
`{"error": {"code", "message", "details"}}`.
"""


def create_app(settings: AskSettings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    """`clock` dates questions and decides when they expire (tests move it)."""
    settings = settings or AskSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            # Opened first so it closes last: the runtime's draft worker uses it until it stops.
            translator(settings.machine_translation, user_agent="witaj-ask") as engine,
            Runtime(settings, source=SOURCE, topics=[ASK_QUESTIONS]) as runtime,
        ):
            runtime.attach(app)
            store = QuestionStore(runtime.db, runtime.outbox, clock)
            await store.ensure_indexes()
            drafts = DraftWorker(store, runtime.cities, engine, settings.ask)
            app.state.ask = Services(runtime, settings.ask, store, drafts)
            runtime.subscribe(handlers.subscriptions())
            runtime.run(drafts)
            runtime.run(Housekeeping(store, settings.ask.sweep_seconds))
            await runtime.start()
            yield

    app = create_service_app(
        settings, service="ask", title="Witaj ask", description=DESCRIPTION, lifespan=lifespan
    )
    app.include_router(questions_api.routes(settings.ask))
    app.include_router(counselling_api.router)
    app.include_router(faq.router)
    return app


def main() -> None:
    settings = AskSettings()
    configure_logging(settings.service.log_level, settings.service.log_format)
    serve_forever(create_app(settings), settings)


if __name__ == "__main__":
    main()
