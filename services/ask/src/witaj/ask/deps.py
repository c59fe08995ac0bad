"""What routes get from the composition root, as `Annotated` dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from witaj.ask import access
from witaj.ask.drafts import DraftWorker
from witaj.ask.settings import AskOptions
from witaj.ask.store import QuestionStore
from witaj.shared.auth import owner_credential
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


def services(request: Request) -> Services:
    return request.app.state.ask  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(services)]


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
    city: str, question_id: str, request: Request, token: QuestionToken = None
) -> dict[str, Any]:
    """The question, for the holder of its token; 401 without one, 404 for any other (a wrong token
    does not learn whether the question exists)."""
    if token is None:
        raise ApiError(401, "token_required", f"Send the {access.TOKEN_HEADER} you got when asking")
    found = await services(request).store.get(city, question_id)
    if found is None or not access.holds(found, token):
        raise NotFound("The question")
    return found


OwnedQuestion = Annotated[dict[str, Any], Depends(owned_question)]
