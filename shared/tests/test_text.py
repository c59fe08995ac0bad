# ruff: noqa: RUF001 - Persian text on purpose
"""Free text is kept as plain text and shown escaped."""

from __future__ import annotations

from witaj.shared.text import plain_text, text_html


def test_plain_text_keeps_what_was_typed_without_control_characters() -> None:
    typed = "  Gdzie\r\nmam iść?\x00\u202eevil\u202c\n\n\n\nDziękuję\t \n"
    assert plain_text(typed) == "Gdzie\nmam iść?evil\n\nDziękuję"


def test_persian_joiners_and_direction_marks_stay() -> None:
    assert plain_text("می\u200cخواهم \u200fکار") == "می\u200cخواهم \u200fکار"


def test_markup_is_shown_as_text() -> None:
    assert text_html('<script>alert("x")</script>\n<b>') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>\n&lt;b&gt;"
    )
