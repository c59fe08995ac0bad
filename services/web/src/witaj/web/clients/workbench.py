"""The content API's workbench as the back office uses it: drafts, edits, workflow, history, translation.

Every call carries the signed-in person's access token (the API decides what they may do) and none is
answered from the saved answers the migrant pages share. Writes wait longer than reads
(`office.write_timeout_seconds`): an XLIFF import or a machine draft is more work than a page read.
Refusals come back as `BackendRefused` with the API's code and details, which the pages turn into
messages next to the fields concerned.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from witaj.web.clients.base import BackendClient, BackendRefused, Params
from witaj.web.clients.content import KIND_PATHS, Item
from witaj.web.settings import BackendSettings

LIST_SIZE = 25


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LanguageState(_Model):
    state: str
    outdated: bool = False
    source: bool = False
    machine_translated: bool = False
    source_revision: int = 0
    fields: dict[str, str] = Field(default_factory=dict)


class EditorItem(_Model):
    """One item as editors see it: any status, its source text, and each language's translation."""

    id: str
    kind: str
    city: str
    organisation: str | None = None
    status: str
    version: int
    revision: int
    source_language: str
    content: dict[str, Any]
    texts: dict[str, str] = Field(default_factory=dict)
    """The translatable source texts, flat by path ('steps.0.title')."""
    translations: dict[str, LanguageState] = Field(default_factory=dict)
    updated_at: str

    @property
    def kind_path(self) -> str:
        return KIND_PATHS[self.kind]

    @property
    def title(self) -> str:
        return str(self.content.get("title", ""))

    def facts(self) -> dict[str, Any]:
        """What the permission rules look at (city, organisation)."""
        return {"city": self.city, "organisation": self.organisation}


class EditorListing(_Model):
    items: list[EditorItem]
    total: int
    limit: int
    offset: int
    next_offset: int | None = None


class Version(_Model):
    revision: int
    content: dict[str, Any]
    texts: dict[str, str] = Field(default_factory=dict)
    at: str


class TokenRejected(BackendRefused):
    """The service did not accept the person's token (expired, revoked, tampered): their session is over."""


class Refused(BackendRefused):
    """The service says the person may not do this (403)."""


class StaffClient(BackendClient):
    """A service's API on behalf of signed-in staff: a refused token ends their session (401), a refused
    action is a 403 page, and writes wait `write_timeout`."""

    def _refusal(self, status: int, data: Any) -> BackendRefused:
        refusal = super()._refusal(status, data)
        if status in (401, 403):
            kind = TokenRejected if status == 401 else Refused
            return kind(refusal.service, status, refusal.code, refusal.details)
        return refusal

    def __init__(
        self, base_url: str, settings: BackendSettings, *, write_timeout: float, **options: Any
    ) -> None:
        super().__init__(base_url, settings, **options)
        self.write_timeout = write_timeout

    async def _write(
        self, method: str, path: str, token: str, payload: Any, *, headers: dict[str, str] | None = None
    ) -> tuple[Any, Any]:
        return await self.send(
            method, path, token=token, json=payload, headers=headers, timeout=self.write_timeout
        )

    async def _xliff_out(self, token: str, path: str) -> tuple[bytes, str]:
        """An XLIFF document to download, and the Content-Disposition the API gave it."""
        body, headers = await self.send(
            "GET", path, token=token, headers={"Accept": "application/xliff+xml"}, timeout=self.write_timeout,
            raw=True,
        )  # fmt: skip
        return body, headers.get("content-disposition", "")

    async def _xliff_in(self, token: str, path: str, document: bytes) -> dict[str, Any]:
        """An uploaded XLIFF document sent on; the API's report of what it applied and refused."""
        data, _ = await self.send(
            "POST", path, token=token, content=document, headers={"Content-Type": "application/xliff+xml"},
            timeout=self.write_timeout,
        )  # fmt: skip
        return dict(data)


class WorkbenchClient(StaffClient):
    service = "content"

    def _base(self, city: str) -> str:
        return f"/cities/{city}/workbench"

    async def listing(
        self,
        token: str,
        city: str,
        kind_path: str,
        *,
        status: str | None = None,
        organisation: str | None = None,
        offset: int = 0,
        limit: int = LIST_SIZE,
    ) -> EditorListing:
        params: Params = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        if organisation:
            params["organisation"] = organisation
        data, _ = await self.send("GET", f"{self._base(city)}/{kind_path}", token=token, params=params)
        return EditorListing.model_validate(data)

    async def item(self, token: str, city: str, item_id: str) -> EditorItem:
        data, _ = await self.send("GET", f"{self._base(city)}/items/{item_id}", token=token)
        return EditorItem.model_validate(data)

    async def create(
        self, token: str, city: str, kind_path: str, content: dict[str, Any], *, source_language: str
    ) -> EditorItem:
        payload = {"content": content, "source_language": source_language}
        data, _ = await self._write("POST", f"{self._base(city)}/{kind_path}", token, payload)
        return EditorItem.model_validate(data)

    async def replace(
        self,
        token: str,
        city: str,
        item: EditorItem,
        content: dict[str, Any],
        *,
        version: int,
        minor: bool,
        important: bool,
    ) -> EditorItem:
        path = f"{self._base(city)}/{item.kind_path}/{item.id}"
        payload = {"content": content, "minor": minor, "important": important}
        data, _ = await self._write("PUT", path, token, payload, headers={"If-Match": f'"{version}"'})
        return EditorItem.model_validate(data)

    async def transition(
        self, token: str, city: str, item_id: str, status: str, *, version: int
    ) -> EditorItem:
        path = f"{self._base(city)}/items/{item_id}/status"
        data, _ = await self._write(
            "POST", path, token, {"status": status}, headers={"If-Match": f'"{version}"'}
        )
        return EditorItem.model_validate(data)

    async def versions(self, token: str, city: str, item_id: str) -> list[Version]:
        data, _ = await self.send("GET", f"{self._base(city)}/items/{item_id}/versions", token=token)
        return [Version.model_validate(v) for v in data]

    async def translate(
        self,
        token: str,
        city: str,
        item_id: str,
        language: str,
        *,
        state: str,
        fields: dict[str, str] | None,
        source_revision: int | None,
    ) -> EditorItem:
        path = f"{self._base(city)}/items/{item_id}/translations/{language}"
        payload: dict[str, Any] = {"state": state, "fields": fields, "source_revision": source_revision}
        data, _ = await self._write("PUT", path, token, payload)
        return EditorItem.model_validate(data)

    async def machine_draft(
        self, token: str, city: str, item_id: str, language: str, *, overwrite: bool
    ) -> EditorItem:
        path = f"{self._base(city)}/items/{item_id}/translations/{language}/machine-draft"
        data, _ = await self._write("POST", path, token, {"overwrite": overwrite})
        return EditorItem.model_validate(data)

    async def dashboard(self, token: str, city: str) -> dict[str, Any]:
        data, _ = await self.send("GET", f"{self._base(city)}/translations", token=token)
        return dict(data)

    async def export_xliff(self, token: str, city: str, language: str) -> tuple[bytes, str]:
        return await self._xliff_out(token, f"{self._base(city)}/translations/{language}/xliff")

    async def import_xliff(self, token: str, city: str, language: str, document: bytes) -> dict[str, Any]:
        return await self._xliff_in(token, f"{self._base(city)}/translations/{language}/xliff", document)

    async def preview(
        self, token: str, city: str, kind_path: str, content: dict[str, Any], language: str
    ) -> Item:
        path = f"{self._base(city)}/preview/{kind_path}"
        data, _ = await self.send("POST", path, token=token, json={"content": content, "language": language})
        return Item.model_validate(data)
