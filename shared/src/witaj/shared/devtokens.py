"""Development identity: a local signing key and a command that mints tokens for any role.

Production verifies tokens from a real OpenID Connect issuer; settings refuse `dev_key_path` there.
Locally `make token ROLE=pa_editor CITY=lublin ORG=...` prints a bearer token the services accept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEV_ISSUER = "https://auth.witaj.local/realms/witaj"
DEV_KEY_PATH = ".witaj/dev-signing-key.pem"


class DevSigningKey:
    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        public_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = "dev-" + hashlib.sha256(public_der).hexdigest()[:16]

    @classmethod
    def generate(cls) -> DevSigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> DevSigningKey:
        file = Path(path)
        if file.exists():
            key = serialization.load_pem_private_key(file.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            return cls(key)
        created = cls.generate()
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(
            created.private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        tmp.chmod(0o600)
        try:
            os.link(tmp, file)  # atomic: if another process created it first, use theirs
        except FileExistsError:
            tmp.unlink()
            return cls.load_or_create(file)
        tmp.unlink()
        return created

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def mint(
        self,
        *,
        roles: list[str],
        subject: str | None = None,
        city: str | None = None,
        organisation: str | None = None,
        issuer: str = DEV_ISSUER,
        audience: str | None = "witaj",
        lifetime_seconds: int = 12 * 3600,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": subject or f"dev-{uuid.uuid4()}",
            "iat": now,
            "exp": now + lifetime_seconds,
            "realm_access": {"roles": roles},
            **({"aud": audience} if audience else {}),
            **({"witaj_city": city} if city else {}),
            **({"witaj_org": organisation} if organisation else {}),
            **(extra or {}),
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mint a Witaj development bearer token.")
    parser.add_argument("--role", action="append", required=True, help="repeat for several roles")
    parser.add_argument("--city", help="city claim, e.g. lublin")
    parser.add_argument("--org", help="organisation claim, e.g. an organisation id")
    parser.add_argument("--sub", help="subject (defaults to a random pseudonymous id)")
    parser.add_argument("--key", default=os.environ.get("WITAJ_DEV_KEY_PATH", DEV_KEY_PATH))
    parser.add_argument("--hours", type=float, default=12)
    args = parser.parse_args(argv)
    key = DevSigningKey.load_or_create(args.key)
    print(
        key.mint(
            roles=args.role,
            subject=args.sub,
            city=args.city,
            organisation=args.org,
            lifetime_seconds=int(args.hours * 3600),
        )
    )


if __name__ == "__main__":
    main()
