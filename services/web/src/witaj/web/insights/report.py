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


def _static(url: str) -> tuple[bytes, str]:
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
    return file.read_bytes(), mimetypes.guess_type(relative)[0] or "text/plain"


def render_pdf(html: str) -> bytes:
    # imported when first used: WeasyPrint loads Pango, which the rest of the app never needs
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            body, kind = _static(url)
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    document = weasyprint.HTML(string=html, base_url="http://report.witaj/", url_fetcher=StaticOnly())
    return document.write_pdf()  # type: ignore[no-any-return]


async def pdf(html: str) -> bytes:
    return await asyncio.to_thread(render_pdf, html)
