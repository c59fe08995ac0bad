"""What routes get from the composition root, as `Annotated` dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from witaj.ask import access
from witaj.ask.drafts import DraftWorker
from witaj.ask.settings import AskOptions
from witaj.ask.store import QuestionStore
from witaj.shared.auth import MaybePrincipal, owner_credential
from witaj.shared.deps import from_state
from witaj.shared.errors import ApiError, NotFound
from witaj.shared.events import CityConfig, Feature
from witaj.shared.runtime import Runtime


@dataclass
class Services:
    """What routes need, stored on `app.state.ask`."""

    runtime: Runtime
    options: AskOptions
    store: QuestionStore
    drafts: DraftWorker


ServicesDep = Annotated[Services, Depends(from_state("ask"))]


def city_asking(services: Services, city: str) -> CityConfig:
    """The city, if it takes questions (404 for an unknown city or one that switched questions off)."""
    config = services.runtime.cities.require(city)
    if not config.has(Feature.QUESTIONS):
        raise ApiError(
            404,
            "feature_disabled",
            f"Asking a person is switched off in {config.name}; a city admin can switch on the "
            f"'{Feature.QUESTIONS.value}' feature",
            details={"city": city, "feature": Feature.QUESTIONS.value},
        )
    return config


QuestionToken = Annotated[
    str | None,
    Header(alias=access.TOKEN_HEADER, max_length=100, description="The token you got when asking"),
]


@owner_credential
async def owned_question(
    city: str, question_id: str, services: ServicesDep, principal: MaybePrincipal, token: QuestionToken = None
) -> dict[str, Any]:
    """The question, for the holder of its token only: 401 with no credential at all, 403 with another
    question's token or with an account (questions belong to no account), 404 for no such question."""
    if token is None and principal is None:
        raise ApiError(401, "token_required", f"Send the {access.TOKEN_HEADER} you got when asking")
    found = await services.store.get(city, question_id)
    if found is None:
        raise NotFound("The question")
    if not access.holds(found, token):
        raise ApiError(
            403, "forbidden", f"This question is read and changed with its own {access.TOKEN_HEADER}"
        )
    return found


OwnedQuestion = Annotated[dict[str, Any], Depends(owned_question)]
