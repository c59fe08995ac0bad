# ruff: noqa: RUF001  (Arabic and Urdu letters are meant)
"""Direction marks where scripts of both directions meet in plain text."""

from __future__ import annotations

from witaj.shared.bidi import FSI, LRM, PDI, RLM, anchored, has_rtl, isolate, isolated_cell


def test_a_value_is_isolated_where_its_direction_could_differ_from_the_text_around_it() -> None:
    assert isolate("Kurs języka polskiego A1", rtl=True) == f"{FSI}Kurs języka polskiego A1{PDI}"
    assert isolate("دورة اللغة", rtl=False) == f"{FSI}دورة اللغة{PDI}"
    assert isolate("Kurs A1 (Lublin)", rtl=False) == "Kurs A1 (Lublin)"  # nothing to keep apart
    assert isolate("", rtl=True) == ""


def test_a_text_gets_a_leading_mark_only_when_its_first_letter_misleads() -> None:
    assert anchored("NFZ – فرع محافظة لوبلين") == RLM + "NFZ – فرع محافظة لوبلين"  # mostly Arabic
    assert anchored("فرع NFZ في لوبلين") == "فرع NFZ في لوبلين"
    assert anchored("Lublin: کارڈ", rtl=True) == RLM + "Lublin: کارڈ"
    assert anchored("کارڈ Lublin", rtl=False) == LRM + "کارڈ Lublin"
    assert anchored("Rynek 1, Lublin") == "Rynek 1, Lublin"
    # An isolated value does not decide the paragraph's direction: the Arabic around it does.
    assert anchored(f"{FSI}Kurs A1{PDI} (لوبلين)", rtl=True) == f"{FSI}Kurs A1{PDI} (لوبلين)"
    assert anchored(f"{FSI}Kurs A1{PDI} ({FSI}Lublin{PDI})", rtl=True).startswith(RLM)


def test_a_spreadsheet_cell_with_arabic_script_keeps_its_own_direction() -> None:
    assert isolated_cell("بطاقة الإقامة 2024") == f"{FSI}بطاقة الإقامة 2024{PDI}"
    assert isolated_cell("lublin-renting") == "lublin-renting"
    assert has_rtl("رہائشی") and not has_rtl("karta pobytu")
