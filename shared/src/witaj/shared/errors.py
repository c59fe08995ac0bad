"""The one error shape every Witaj API returns: {"error": {"code", "message", "details"}}.

Codes are stable, snake_case and meant for programs; messages are sentences meant for people.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["No page with id 'abc' in city 'lublin'"])
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    """Raise anywhere in a request to answer with a clear 4xx/5xx in the platform's error format."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(ApiError):
    def __init__(self, what: str, details: Any = None) -> None:
        super().__init__(404, "not_found", f"{what} was not found", details)


class Conflict(ApiError):
    def __init__(self, message: str, details: Any = None, code: str = "conflict") -> None:
        super().__init__(409, code, message, details)


class BadRequest(ApiError):
    def __init__(self, message: str, details: Any = None, code: str = "bad_request") -> None:
        super().__init__(400, code, message, details)


class Forbidden(ApiError):
    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(403, "forbidden", message, details)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        400: "The request is malformed",
        401: "A valid bearer token is needed",
        403: "The caller may not do this",
        404: "Not found",
        409: "Conflicts with the current state",
        413: "The request body is too large",
        422: "The request failed validation",
        429: "Too many requests",
    }.items()
}
"""Add to a router's `responses=` so OpenAPI documents the error shape."""
