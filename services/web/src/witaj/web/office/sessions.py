"""Back-office sessions, kept on the server: the browser holds only a random id in a cookie.

A session is a document in the web app's own database (`sessions`), found by the SHA-256 of the id
(a copy of the database yields no usable cookie). Everything about the person and their tokens is
sealed with AES-GCM under a key derived from the app's `secret_key` and bound to the document's id, so
tokens never reach the browser and are unreadable at rest. Each document carries its own end
(`expires_at`: the idle limit, pushed on as the session is used, never past the session's absolute end)
and a TTL index deletes it after that; reads check the end themselves, as TTL deletion runs only now and
then. A sign-in under way (state, nonce and PKCE verifier until the provider sends the person back) is
a short-lived document of the same kind, taken once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pymongo.asynchronous.database import AsyncDatabase
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, ensure_expiry
from witaj.web.office.settings import OfficeSettings
from witaj.web.office.staff import Staff

log = get_logger("witaj.web.office")
SIGN_IN_MINUTES = 10
"""How long a person may take at the identity provider before the sign-in under way is forgotten."""
TOUCH_EVERY = timedelta(minutes=1)
"""A used session's end is pushed on at most this often (one write a minute, not one a request)."""


def new_id() -> str:
    return secrets.token_urlsafe(32)


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class Tokens:
    """What the identity provider (or the development sign-in) gave: never sent to the browser."""

    access_token: str
    expires_at: float
    """When the access token expires (seconds since the epoch)."""
    refresh_token: str | None = None
    id_token: str | None = None

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at - now < seconds


@dataclass
class StaffSession:
    id: str
    staff: Staff
    tokens: Tokens
    method: str
    """'provider' or 'development': how the person signed in (sign-out differs)."""
    started_at: datetime
    ends_at: datetime
    """The absolute end, whatever the use."""
    touched_at: datetime
    version: int = 1


@dataclass
class PendingSignIn:
    state: str
    nonce: str | None
    code_verifier: str
    next: str = "/office"
    extra: dict[str, Any] = field(default_factory=dict)


class Sealer:
    """AES-GCM under a key derived (HKDF) from the app's secret; each box bound to its document."""

    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"witaj-web office sessions").derive(
            secret
        )
        self.aead = AESGCM(key)

    def seal(self, data: dict[str, Any], bound_to: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self.aead.encrypt(nonce, json.dumps(data).encode(), bound_to.encode())

    def open(self, box: bytes, bound_to: str) -> dict[str, Any] | None:
        try:
            plain = self.aead.decrypt(box[:12], box[12:], bound_to.encode())
        except (InvalidTag, ValueError):
            return None
        data = json.loads(plain)
        return data if isinstance(data, dict) else None


class SessionStore:
    def __init__(self, db: AsyncDatabase[Document], secret: bytes, settings: OfficeSettings) -> None:
        self.collection = db["sessions"]
        self.sealer = Sealer(secret)
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.longest = timedelta(hours=settings.session_max_hours)
        self._indexed = False

    async def ensure_indexes(self) -> None:
        """Once, on first use: the web app starts (and serves migrants) without its database."""
        if not self._indexed:
            await ensure_expiry(self.collection, "expires_at", timedelta(0), name="session_expiry")
            self._indexed = True

    # ---------------------------------------------------------------------------- sign-in under way

    async def begin_sign_in(self, pending: PendingSignIn) -> str:
        await self.ensure_indexes()
        pending_id = new_id()
        key = _key(pending_id)
        await self.collection.insert_one(
            {
                "_id": key,
                "kind": "sign_in",
                "sealed": self.sealer.seal(pending.__dict__, key),
                "expires_at": datetime.now(UTC) + timedelta(minutes=SIGN_IN_MINUTES),
            }
        )
        return pending_id

    async def take_sign_in(self, pending_id: str | None) -> PendingSignIn | None:
        """The sign-in under way, once: a second callback with the same cookie finds nothing."""
        if not pending_id:
            return None
        await self.ensure_indexes()
        key = _key(pending_id)
        doc = await self.collection.find_one_and_delete({"_id": key, "kind": "sign_in"})
        if doc is None or doc["expires_at"] < datetime.now(UTC):
            return None
        data = self.sealer.open(doc["sealed"], key)
        return PendingSignIn(**data) if data else None

    # ------------------------------------------------------------------------------------- sessions

    async def create(self, staff: Staff, tokens: Tokens, *, method: str) -> StaffSession:
        """A new session with a new id: an id the browser held before sign-in is never kept (rotation)."""
        await self.ensure_indexes()
        now = datetime.now(UTC)
        session = StaffSession(
            id=new_id(), staff=staff, tokens=tokens, method=method,
            started_at=now, ends_at=now + self.longest, touched_at=now,
        )  # fmt: skip
        key = _key(session.id)
        await self.collection.insert_one(
            {
                "_id": key,
                "kind": "session",
                "sealed": self.sealer.seal(self._payload(session), key),
                "started_at": now,
                "ends_at": session.ends_at,
                "touched_at": now,
                "expires_at": self._expiry(now, session.ends_at),
                "version": session.version,
            }
        )
        log.info("office.session_started", method=method)
        return session

    async def load(self, session_id: str | None) -> StaffSession | None:
        if not session_id or len(session_id) > 100:
            return None
        await self.ensure_indexes()
        key = _key(session_id)
        doc = await self.collection.find_one({"_id": key, "kind": "session"})
        if doc is None or doc["expires_at"] < datetime.now(UTC):
            return None
        data = self.sealer.open(doc["sealed"], key)
        if data is None:
            log.warning("office.session_unreadable")  # another secret_key, or a tampered document
            return None
        return StaffSession(
            id=session_id,
            staff=Staff.from_dict(data["staff"]),
            tokens=Tokens(**data["tokens"]),
            method=data["method"],
            started_at=doc["started_at"],
            ends_at=doc["ends_at"],
            touched_at=doc["touched_at"],
            version=doc["version"],
        )

    async def replace_tokens(self, session: StaffSession, tokens: Tokens) -> bool:
        """Store refreshed tokens unless another request (or replica) did first; False when it did."""
        key = _key(session.id)
        now = datetime.now(UTC)
        updated = StaffSession(**{**session.__dict__, "tokens": tokens, "touched_at": now})
        result = await self.collection.update_one(
            {"_id": key, "version": session.version},
            {
                "$set": {
                    "sealed": self.sealer.seal(self._payload(updated), key),
                    "touched_at": now,
                    "expires_at": self._expiry(now, session.ends_at),
                },
                "$inc": {"version": 1},
            },
        )
        if result.modified_count == 1:
            session.tokens, session.touched_at, session.version = tokens, now, session.version + 1
            return True
        return False

    async def touch(self, session: StaffSession) -> None:
        """Push the idle end on (at most once a minute)."""
        now = datetime.now(UTC)
        if now - session.touched_at < TOUCH_EVERY:
            return
        await self.collection.update_one(
            {"_id": _key(session.id)},
            {"$set": {"touched_at": now, "expires_at": self._expiry(now, session.ends_at)}},
        )
        session.touched_at = now

    async def end(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= 100:
            await self.collection.delete_one({"_id": _key(session_id)})

    # ------------------------------------------------------------------------------------- helpers

    def _expiry(self, now: datetime, ends_at: datetime) -> datetime:
        return min(now + self.idle, ends_at)

    @staticmethod
    def _payload(session: StaffSession) -> dict[str, Any]:
        return {
            "staff": session.staff.as_dict(),
            "tokens": session.tokens.__dict__,
            "method": session.method,
        }


def cookie_safe(value: str | None) -> str | None:
    """A cookie value that can be an id (the shape `new_id` makes), else None."""
    if value and 20 <= len(value) <= 100 and all(c.isalnum() or c in "-_" for c in value):
        return value
    return None
