"""Unit tests of the insights' own logic: catalogues, periods, charts that never draw a hidden figure as a
number, maps, the PDF's fetcher that reads nothing but the app's own files."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from witaj.web.i18n import Translator, babel_locale, catalogue, translated_languages
from witaj.web.insights import charts, maps, report
from witaj.web.insights.figures import choose, series_figure

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "witaj" / "web" / "templates" / "insights"
EN = Translator("en", book="insights")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_insights_speak_arabic_english_polish_and_ukrainian() -> None:
    assert set(translated_languages("insights")) == {"ar", "en", "pl", "uk"}


@pytest.mark.parametrize("code", ["ar", "pl", "uk"])
def test_each_insights_catalogue_has_every_text_with_the_same_placeholders(code: str) -> None:
    source, texts = catalogue("en", "insights"), catalogue(code, "insights")
    assert sorted(set(source) - set(texts)) == [], "missing texts"
    assert sorted(set(texts) - set(source)) == [], "texts nothing uses"
    categories = set(babel_locale(code).plural_form.tags) | {"other"}
    for key, english in source.items():
        if isinstance(english, dict):
            assert set(texts[key]) == categories, key
        else:
            assert placeholders(texts[key]) == placeholders(english), key


def test_every_text_the_insights_templates_name_is_in_the_catalogue() -> None:
    named = set()
    for template in TEMPLATES.rglob("*.html"):
        named |= set(re.findall(r"t\('(insights\.[a-z_.-]*[a-z])'", template.read_text()))
    assert sorted(key for key in named if key not in catalogue("en", "insights")) == []


def test_a_period_with_too_many_windows_takes_a_coarser_step() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert (choose("24h", "minute", now).granularity, choose("24h", "minute", now).adjusted) == (
        "minute",
        False,
    )
    week = choose("7d", "minute", now)
    assert week.granularity == "hour" and week.adjusted
    assert choose("nonsense", None, now).period == "24h"
    assert choose("30d", "day", now).days == (now - timedelta(days=30) + timedelta(days=1), now)


def test_suppressed_and_pending_figures_are_marked_never_drawn_as_zero() -> None:
    series = {
        "granularity": "day",
        "people": True,
        "points": [
            {"start": "2026-03-01T00:00:00+00:00", "count": 12},
            {"start": "2026-03-02T00:00:00+00:00", "count": None, "suppressed": True},
            {"start": "2026-03-03T00:00:00+00:00", "count": None, "pending": True},
        ],
    }
    figure = series_figure(EN, series, chart_id="c", title="Registrations", colour=charts.PALETTE[0])
    assert [state for _, _, state in figure.rows] == ["shown", "suppressed", "pending"]
    assert [text for _, text, _ in figure.rows] == ["12", "suppressed", "not released yet"]
    assert figure.total is None  # counts of people are never summed on a page
    svg = str(figure.chart)
    assert svg.count('class="chart__value"') == 1
    assert 'class="chart__suppressed"' in svg and 'class="chart__pending"' in svg
    assert 'role="img"' in svg and "<title" in svg and "style=" not in svg


def test_right_to_left_charts_run_from_the_right() -> None:
    data = [charts.Datum("a", 1), charts.Datum("b", 2)]
    ltr = str(charts.columns(data, chart_id="x", title="t", summary="s"))
    rtl = str(charts.columns(data, chart_id="x", title="t", summary="s", rtl=True))
    first_ltr = float(re.findall(r'class="chart__value" x="([\d.]+)"', ltr)[0])
    first_rtl = float(re.findall(r'class="chart__value" x="([\d.]+)"', rtl)[0])
    assert first_rtl > first_ltr  # the first window stands on the right


def test_labels_are_escaped() -> None:
    svg = str(charts.bars([charts.Datum("<script>", 1, text="1")], chart_id="x", title="<b>", summary="s"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_map_hatches_suppressed_districts_and_leaves_missing_ones_pale() -> None:
    square = [[[22.5, 51.2], [22.6, 51.2], [22.6, 51.3], [22.5, 51.3], [22.5, 51.2]]]
    features = [
        {"id": d, "name": d.title(), "geometry": {"type": "Polygon", "coordinates": square}}
        for d in ("a", "b", "c")
    ]
    figures = {
        "a": charts.Datum("A", 10.0, text="10"),
        "b": charts.Datum("B", None, "suppressed", "suppressed"),
    }
    svg = str(maps.choropleth(features, figures, chart_id="m", title="t", summary="s"))
    assert 'map__district--shown" data-district="a"' in svg
    assert 'map__district--suppressed" data-district="b"' in svg and "url(#m-hatch)" in svg
    assert 'map__district--missing" data-district="c"' in svg
    assert maps.classes([1.0, 6.0])[0] == (1.0, 2.0)


def test_the_pdf_reads_only_the_apps_own_files() -> None:
    body, kind = report._static("http://report.witaj/static/css/insights.css?v=1")
    assert kind == "text/css" and b"insights" in body
    for url in (
        "http://example.org/x.css",
        "file:///etc/passwd",
        "http://report.witaj/static/../settings.py",
    ):
        with pytest.raises(report.Refused):
            report._static(url)
