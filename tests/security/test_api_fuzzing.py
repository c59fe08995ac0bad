"""Property-based fuzzing of every service from its own OpenAPI document, as each role.

Schemathesis generates requests from the documented schema; for every one, no answer may be a 5xx and
every answer must match what the document promises (status codes, content type, body schema). The
number of cases is bounded so the suite stays fast; raise WITAJ_FUZZ_EXAMPLES locally to dig deeper.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .matrix_cases import ROLES

EXAMPLES = int(os.environ.get("WITAJ_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(case, mint) -> None:
    """The same generated request anonymously and as every role (in the demo city and its organisation)."""
    case.call_and_validate(checks=CHECKS)
    for role in ROLES:
        token = mint(role, city="lublin", org="demo-org")
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.mark.parametrize("service", ["content", "events", "notify", "stats", "ask"])
def test_every_operation_keeps_its_documented_promises(service, live_platform, mint) -> None:
    schema = schemathesis.openapi.from_url(f"{live_platform[service]}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{service} documents no operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ_SETTINGS
        def run(case) -> None:
            fuzz(case, mint)

        try:
            run()
        except Exception as failure:
            raise AssertionError(
                f"{service} {operation.method.upper()} {operation.path}: {failure}"
            ) from failure
