"""The monthly report as PDF: the printable report page itself, laid out by WeasyPrint.

One template serves the screen, the printer and the PDF, so the PDF shows exactly the figures the page
shows (suppressed as there). WeasyPrint is given the page's HTML and may read only the app's own static
files (its style sheets); any other address it meets is refused, so a report never makes a request
anywhere. Laying out takes a moment of CPU, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import mimetypes
from importlib import resources
from typing import Any

STATIC = "/static/"


class Refused(ValueError):
    """WeasyPrint asked for something other than the app's own static files."""


def _fetch(url: str) -> dict[str, Any]:
    """The app's own static files, read from the package; nothing else."""
    path = url.split("?", 1)[0]
    for prefix in ("http://report.witaj" + STATIC, STATIC):
        if path.startswith(prefix):
            relative = path[len(prefix) :]
            break
    else:
        raise Refused(url)
    if ".." in relative.split("/"):
        raise Refused(url)
    file = resources.files("witaj.web").joinpath("static", *relative.split("/"))
    if not file.is_file():
        raise Refused(url)
    return {"string": file.read_bytes(), "mime_type": mimetypes.guess_type(relative)[0] or "text/plain"}


def render_pdf(html: str) -> bytes:
    import weasyprint  # imported when first used: it loads Pango, which the rest of the app never needs

    document = weasyprint.HTML(string=html, base_url="http://report.witaj/", url_fetcher=_fetch)
    return document.write_pdf()  # type: ignore[no-any-return]


async def pdf(html: str) -> bytes:
    return await asyncio.to_thread(render_pdf, html)
