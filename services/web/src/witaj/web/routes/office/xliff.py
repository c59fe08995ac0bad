"""XLIFF 2.0 for translation agencies and tools: download what needs translating into a language, upload
the translated file. The content API builds and checks the files; an upload's report (what was applied,
and each refused unit with why) is shown on the language's page, one row per unit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from witaj.web.clients.base import BackendRefused
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk
from witaj.web.office.problems import describe
from witaj.web.routes.office.translation import _may_see_work, city_language, language_page

router = APIRouter(prefix=PREFIX + "/{city}/translations/{language}")


@router.get("/xliff")
async def download(language: str, desk: CityDesk) -> Response:
    city_language(desk, language)
    _may_see_work(desk)
    body, disposition = await desk.workbench.export_xliff(desk.token, desk.city_id, language)
    filename = f"witaj-{desk.city_id}-{language}.xlf"
    return Response(
        body,
        media_type="application/xliff+xml",
        headers={
            "Content-Disposition": disposition or f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/xliff")
async def upload(language: str, desk: CityDesk, request: Request) -> HTMLResponse:
    city_language(desk, language)
    _may_see_work(desk)
    form = await request.form()
    upload = form.get("file")
    document = await upload.read() if isinstance(upload, UploadFile) else b""
    if not document:
        return await language_page(desk, language, problem=desk.t("office.xliff.no_file"), status=400)
    try:
        report = await desk.workbench.import_xliff(desk.token, desk.city_id, language, document)
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        return await language_page(desk, language, problem=describe(desk.t, refused), status=refused.status)
    return await language_page(desk, language, report=report)
