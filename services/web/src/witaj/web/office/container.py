"""What the back office holds for the app's lifetime, built by the composition root (`main.py`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from pymongo import AsyncMongoClient
from witaj.shared.mongo import Document, create_client, database, ping
from witaj.web.clients.broadcasts import BroadcastClient
from witaj.web.clients.counselling import CounsellingClient
from witaj.web.clients.organiser import OrganiserClient
from witaj.web.clients.workbench import WorkbenchClient
from witaj.web.office.development import DevelopmentSignIn
from witaj.web.office.oidc import Provider
from witaj.web.office.sessions import SessionStore
from witaj.web.office.settings import OfficeSettings
from witaj.web.settings import WebSettings

SESSION_COOKIE = "witaj_office"
SIGN_IN_COOKIE = "witaj_office_sign_in"
LANGUAGE_COOKIE = "witaj_office_lang"
PREFIX = "/office"
RETURN_PREFIXES = [PREFIX]
"""Where signing in may bring a person back to: the back office, and the areas that sign in through it."""


@dataclass
class Office:
    settings: OfficeSettings
    sessions: SessionStore
    workbench: WorkbenchClient
    broadcasts: BroadcastClient
    """The notify API, for the city's urgent notices."""
    organiser: OrganiserClient
    """The events API, for events and courses, their registrations, imports and translation."""
    counselling: CounsellingClient
    """The ask API, for counsellors' questions and readers' suggestions."""
    provider: Provider | None
    development: DevelopmentSignIn | None
    mongo: AsyncMongoClient[Document]
    secure: bool
    public_url: str | None

    @classmethod
    def build(cls, settings: WebSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> Office:
        office = settings.office
        mongo = create_client(settings.mongo)
        secret = settings.secret_key.get_secret_value().encode()
        return cls(
            settings=office,
            sessions=SessionStore(database(mongo, settings.mongo), secret, office),
            workbench=WorkbenchClient(
                settings.content_url,
                settings.backend,
                write_timeout=office.write_timeout_seconds,
                transport=transport,
            ),
            organiser=OrganiserClient(
                settings.events_url,
                settings.backend,
                write_timeout=office.write_timeout_seconds,
                transport=transport,
            ),
            broadcasts=BroadcastClient(
                settings.notify_url,
                settings.backend,
                write_timeout=office.write_timeout_seconds,
                transport=transport,
            ),
            counselling=CounsellingClient(
                settings.ask_url,
                settings.backend,
                write_timeout=office.write_timeout_seconds,
                transport=transport,
            ),
            provider=Provider(office) if office.issuer else None,
            development=(
                DevelopmentSignIn(office.dev_key_path, lifetime_hours=office.session_max_hours)
                if office.dev_key_path
                else None
            ),
            mongo=mongo,
            secure=settings.cookies_secure,
            public_url=settings.service.public_url,
        )

    @property
    def session_cookie(self) -> str:
        """`__Host-` over HTTPS: the browser then keeps it to this host, path / and secure connections."""
        return f"__Host-{SESSION_COOKIE}" if self.secure else SESSION_COOKIE

    @property
    def can_sign_in(self) -> bool:
        return self.provider is not None or self.development is not None

    async def reachable(self) -> bool:
        """For /ready: the sessions' database answers (briefly: the migrant pages do not wait for it)."""
        try:
            return await asyncio.wait_for(ping(self.mongo), timeout=2)
        except TimeoutError:
            return False

    async def aclose(self) -> None:
        await self.workbench.aclose()
        await self.organiser.aclose()
        await self.counselling.aclose()
        await self.broadcasts.aclose()
        await self.mongo.close()
