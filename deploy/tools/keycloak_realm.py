"""Write the development realm from the production realm and its development additions.

    .venv/bin/python deploy/tools/keycloak_realm.py          # rewrite deploy/keycloak/witaj-realm.dev.json
    .venv/bin/python deploy/tools/keycloak_realm.py --check  # exit 1 when it is out of date

deploy/keycloak/witaj-realm.json is what real deployments import: roles, the client and its claims, no
users and no password grant. deploy/keycloak/development.json adds the demo users (one per role, in the
city lublin) and the password grant on the client, for demos and local trials only (deploy/compose.dev.yml).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from tool_cli import run

KEYCLOAK = Path(__file__).resolve().parent.parent / "keycloak"
REALM = KEYCLOAK / "witaj-realm.json"
DEVELOPMENT = KEYCLOAK / "development.json"
OUTPUT = KEYCLOAK / "witaj-realm.dev.json"


def development_realm(realm: dict[str, Any], additions: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(realm)
    changes = additions.get("clients", {})
    for client in result.get("clients", []):
        client.update(changes.get(client["clientId"], {}))
    unknown = set(changes) - {c["clientId"] for c in result.get("clients", [])}
    if unknown:
        raise ValueError(f"{DEVELOPMENT.name} changes clients the realm does not have: {sorted(unknown)}")
    result["users"] = [*result.get("users", []), *additions.get("users", [])]
    return result


def render() -> str:
    realm = json.loads(REALM.read_text())
    additions = json.loads(DEVELOPMENT.read_text())
    return json.dumps(development_realm(realm, additions), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    return run(__doc__.splitlines()[0], lambda: {OUTPUT: render()}, "keycloak_realm.py")


if __name__ == "__main__":
    sys.exit(main())
