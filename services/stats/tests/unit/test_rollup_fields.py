"""A dimension's values become field names of a table's document (`witaj.stats.rollups`): every value,
whatever its characters, must come back as itself and never be read by MongoDB as a path or operator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from witaj.stats.rollups import field_name, value_of

pytestmark = pytest.mark.unit


@given(st.text())
def test_every_value_comes_back_from_its_field_name(value: str) -> None:
    name = field_name(value)
    assert value_of(name) == value
    assert name and "." not in name and "$" not in name and "\0" not in name


@pytest.mark.parametrize(
    ("value", "name"),
    [("", "%"), ("uk", "uk"), ("guide.v2", "guide%2Ev2"), ("$where", "%24where"), ("%2E", "%252E")],
)
def test_field_names_escape_what_mongodb_would_misread(value: str, name: str) -> None:
    assert field_name(value) == name
