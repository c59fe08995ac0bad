"""The development sign-in: pick a role, a city and an organisation, get a session. Never in production.

It exists so `make run` has a back office without an identity provider. It mints an access token with
the development signing key the services already trust (`witaj.shared.devtokens`), so every call the
back office makes is checked by the services exactly as with a real provider's token. Production
settings refuse `office.dev_key_path`, as the services refuse their development key.
"""

from __future__ import annotations

import secrets
import time

from witaj.shared.auth import Role
from witaj.shared.devtokens import DevSigningKey
from witaj.web.office.oidc import SignedIn, staff_of
from witaj.web.office.sessions import Tokens

ROLES = (
    Role.PA_EDITOR,
    Role.NGO_EDITOR,
    Role.COUNSELLOR,
    Role.TRANSLATOR,
    Role.CITY_ADMIN,
    Role.PLATFORM_ADMIN,
    Role.ANALYST,
)
"""The roles offered on the page, in the order people look for them."""


class DevelopmentSignIn:
    def __init__(self, key_path: str, *, lifetime_hours: int) -> None:
        self.key = DevSigningKey.load_or_create(key_path)
        self.lifetime = lifetime_hours * 3600

    def sign_in(self, role: Role, *, city: str | None, organisation: str | None) -> SignedIn:
        token = self.key.mint(
            roles=[role.value],
            subject=f"dev-{role.value}-{secrets.token_hex(4)}",
            city=city if role is not Role.PLATFORM_ADMIN else None,
            organisation=organisation,
            lifetime_seconds=self.lifetime,
        )
        staff = staff_of(token, {"name": f"{role.value} (development)"})
        return SignedIn(staff, Tokens(access_token=token, expires_at=time.time() + self.lifetime))
