"""The cheap checks in front of the English number and name scans never hide an anchor the full scans find."""
from __future__ import annotations

import pytest

from triglot_server.engine.anchors import extract_anchors, find_names


@pytest.mark.parametrize("text, values", [
    ("They met twenty-five times.", ["25"]),
    ("ONE HUNDRED and five delegates", ["105"]),
    ("Iraq's two ministers", ["2"]),
    ("\u0130one two", ["2"]),  # a non-ASCII letter that lower() turns into two characters, next to a number word
    ("twoK men", []),  # a number word inside a longer run of ASCII letters is no number
    ("The peoples met in the spring.", []),
])
def test_english_numbers_behind_the_pre_check(text: str, values: list[str]) -> None:
    assert [a.value for a in extract_anchors(text, "en") if a.kind == "number"] == values


@pytest.mark.parametrize("text, names", [
    ("He sailed to Lord Howe Island.", ["lord_howe_island"]),
    ("The Lord spoke.", []),  # "lord" starts a form (Lord Howe Island), but its other tokens are missing
    ("The Lord heard the Irapi people.", ["iraq"]),  # a misspelt name in a sentence that fails the second check
    ("Trinidad & Tobago and the US", None),  # "&" reads as "and"
])
def test_english_names_behind_the_pre_checks(text: str, names: list[str] | None) -> None:
    found = [a.value for a in find_names(text, "en")]
    if names is None:
        assert "usa" in found and len(found) >= 2
    else:
        assert found == names
