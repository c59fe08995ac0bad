"""Proof that whoever asked to be told of a question's answers holds the notify subscription they named
(the ask service proves, notify checks).

A migrant who wants notices (in their Witaj inbox, and by e-mail if they confirmed an address there)
names their notify subscription and presents its own credential: the device's subscriber token, or a
sign-in of the account that owns it. The ask service keeps neither; it turns the credential into a
proof bound to that subscription and that one question (`witaj.shared.subscriber_proof`, scope
"question"), and the question's events carry the proof. Notify, which alone knows each subscription's
credential, recomputes it and tells nobody for a missing or wrong one, so nobody can route notices into
someone else's inbox by naming it.
"""

from __future__ import annotations

from witaj.shared.auth import Principal
from witaj.shared.errors import ApiError
from witaj.shared.subscriber_proof import account_key, device_key, prove

SUBSCRIBER_TOKEN = "X-Subscriber-Token"  # noqa: S105 - a header name, not a secret


def proof_for(
    subscriber: str | None, question_id: str, token: str | None, principal: Principal | None
) -> str | None:
    """The proof for naming `subscriber`, from the credential the migrant sent (None when none named)."""
    if subscriber is None:
        return None
    if token:
        return prove(device_key(token), subscriber, question_id, "question")
    if principal is not None:
        return prove(account_key(principal.subject), subscriber, question_id, "question")
    raise ApiError(
        422,
        "subscriber_credential_required",
        f"To be told in a subscription's inbox, send its {SUBSCRIBER_TOKEN} (or sign in as its account)",
    )
