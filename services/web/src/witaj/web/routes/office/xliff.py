"""XLIFF 2.0 for translation agencies and tools: download what needs translating into a language, upload
the translated file. The content API builds and checks the files; an upload's report (what was applied,
and each refused unit with why) is shown on the language's page, one row per unit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from witaj.web.clients.base import BackendRefused
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk
from witaj.web.office.problems import describe
from witaj.web.routes.office.translation import _may_see_work, city_language, language_page

router = APIRouter(prefix=PREFIX + "/{city}/translations/{language}")


def xliff_file(body: bytes, disposition: str, filename: str) -> Response:
    """A downloaded XLIFF document, named as the API names it (else `filename`), kept by no cache."""
    headers = {
        "Content-Disposition": disposition or f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type="application/xliff+xml", headers=headers)


async def upload_report(
    desk: Desk, request: Request, send: Callable[[bytes], Awaitable[dict[str, Any]]],
    page: Callable[..., Awaitable[HTMLResponse]], *, pages_for: tuple[int, ...] = (401, 403, 404),
) -> HTMLResponse:  # fmt: skip
    """The uploaded document sent with `send`, and the language's `page` with its report, or with why
    nothing was imported; refusals in `pages_for` are pages of their own (a token gone, a 403)."""
    language = str(request.path_params["language"])
    form = await request.form()
    upload = form.get("file")
    document = await upload.read() if isinstance(upload, UploadFile) else b""
    if not document:
        return await page(desk, language, problem=desk.t("office.xliff.no_file"), status=400)
    try:
        report = await send(document)
    except BackendRefused as refused:
        if refused.status in pages_for:
            raise
        return await page(desk, language, problem=describe(desk.t, refused), status=refused.status)
    return await page(desk, language, report=report)


@router.get("/xliff")
async def download(language: str, desk: CityDesk) -> Response:
    city_language(desk, language)
    _may_see_work(desk)
    body, disposition = await desk.workbench.export_xliff(desk.token, desk.city_id, language)
    return xliff_file(body, disposition, f"witaj-{desk.city_id}-{language}.xlf")


@router.post("/xliff")
async def upload(language: str, desk: CityDesk, request: Request) -> HTMLResponse:
    city_language(desk, language)
    _may_see_work(desk)

    def send(document: bytes) -> Awaitable[dict[str, Any]]:
        return desk.workbench.import_xliff(desk.token, desk.city_id, language, document)

    return await upload_report(desk, request, send, language_page)
