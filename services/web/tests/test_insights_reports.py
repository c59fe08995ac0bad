"""The monthly report: a printable page and the same page as PDF, whose pages (turned into images) show
the charts."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy
import pypdfium2
import pytest
from insights_helpers import CITY, USAGE, page_view, produce
from office_helpers import sign_in, text_of
from web_helpers import SCREENSHOTS
from witaj.devkit.testing import wait_until

pytestmark = pytest.mark.usefixtures("stats_processor")
BLUE = (0x00, 0x72, 0xB2)
"""The colour of the page views' columns (the first of the Okabe-Ito palette)."""


def pixels_of(image: object, colour: tuple[int, int, int]) -> int:
    """How many pixels of the image are (nearly) the colour."""
    array = numpy.asarray(image, dtype=numpy.int16)[..., :3]
    return int((numpy.abs(array - numpy.array(colour)).max(axis=-1) <= 12).sum())


async def test_the_monthly_report_prints_and_its_pdf_shows_the_charts(
    web, identity_provider, stats_processor
) -> None:
    await produce(stats_processor, USAGE, [page_view("lublin-renting", "pl") for _ in range(40)])
    await sign_in(web, identity_provider, "analyst")
    month = datetime.now(UTC).strftime("%Y-%m")
    listing = await web.get(f"/insights/{CITY}/reports")
    assert f'href="/insights/{CITY}/reports/{month}.pdf"' in listing.text

    async def counted():
        page = await web.get(f"/insights/{CITY}/reports/{month}")
        return "lublin-renting" in page.text and page

    page = await wait_until(counted, timeout=30, message="the month's views in the report")
    text = text_of(page)
    assert (
        f"Monthly report {month}" in text
        and "Most viewed pages" in text
        and "Fill rates per occurrence" in text
    )
    assert page.text.count('<svg class="chart') >= 5

    pdf = await web.get(f"/insights/{CITY}/reports/{month}.pdf", timeout=180)  # laid out on a busy machine
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(pdf.content)
    assert len(document) >= 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    blue = 0
    for number in range(len(document)):
        image = document[number].render(scale=1).to_pil().convert("RGB")
        image.save(SCREENSHOTS / f"insights-report-pdf-page-{number + 1}.png")
        blue += pixels_of(image, BLUE)
    assert blue > 500  # the page views' columns and bars, drawn in the PDF
    assert "Monthly report" in document[0].get_textpage().get_text_range()
