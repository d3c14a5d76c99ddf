"""clean(): hostile API strings must reach the terminal inert and visibly escaped."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvest_tui.safe_text import clean, escape_char

UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def unsafe_chars(text: str, *, multiline: bool = False) -> list[str]:
    allowed = {"\n"} if multiline else set()
    return [c for c in text if unicodedata.category(c) in UNSAFE and c not in allowed]


@pytest.mark.parametrize(
    "payload",
    ["[@click=app.quit]x[/]", "[/]", "[$accent]", "[b]bold[/b]", "[link=https://x]y[/link]"],
)
def test_markup_stays_literal(payload: str) -> None:
    assert clean(payload) == payload
    assert clean(payload, multiline=True) == payload


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),  # OSC 52: write the clipboard
        ("\x1b[2J", "\\x1b[2J"),  # clear the screen
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # right-to-left override
        ("ad\u200bmin", "ad\\u200bmin"),  # zero-width space
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("a\x7fb", "a\\x7fb"),  # DEL
        ("\x00\x08", "\\x00\\x08"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # bidi isolates
        ("\ufeffbom", "\\ufeffbom"),
        ("soft\u00adhyphen", "soft\\xadhyphen"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),  # invisible "tag" characters
        ("\ud800lone", "\\ud800lone"),  # a lone surrogate from bad decoding
        ("\x85nel", "\\x85nel"),
    ],
)
def test_controls_become_visible_escapes(payload: str, expected: str) -> None:
    assert clean(payload) == expected
    assert clean(payload, multiline=True) == expected
    assert unsafe_chars(clean(payload)) == []


def test_legitimate_unicode_is_kept() -> None:
    text = "Ünïcödé ✔ 日本語 café\u00a0nbsp \ue0b0 emoji 🎬"
    assert clean(text) == text


def test_single_line_newlines_and_tabs() -> None:
    assert clean("a\nb") == "a\\nb"
    assert clean("a\r\nb\rc") == "a\\nb\\nc"
    assert clean("a\tb") == "a b"


def test_multiline_keeps_newlines_and_expands_tabs() -> None:
    out = clean("one\r\ntwo\rthree\n\tfour\x1b", multiline=True)
    assert out == "one\ntwo\nthree\n    four\\x1b"
    assert clean("ab\tc", multiline=True) == "ab  c"  # tab stops every 4 columns


def test_non_strings() -> None:
    assert clean(None) == ""
    assert clean(42) == "42"
    assert clean(b"ok\x1b\xff") == "ok\\x1b\\xff"

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    assert clean(Broken()).startswith("<")


def test_long_description_truncates() -> None:
    description = ("harvest of the big match " * 50)[:1024]
    assert len(description) == 1024
    assert clean(description) == description
    out = clean(description, max_len=100)
    assert len(out) == 100
    assert out.endswith("…")
    assert out[:99] == description[:99]


def test_max_len_edges() -> None:
    assert clean("abc", max_len=3) == "abc"
    assert clean("abcd", max_len=3) == "ab…"
    assert clean("abcd", max_len=1) == "…"
    assert clean("abcd", max_len=0) == ""
    # Escapes count towards the length.
    assert clean("\x1b\x1b", max_len=5) == "\\x1b…"
    # The input prefix shortcut must not change the result, even with \r\n pairs.
    text = "\r\n" * 50 + "tail"
    assert clean(text, multiline=True, max_len=10) == "\n" * 9 + "…"


def test_escape_char() -> None:
    assert escape_char("\x1b") == "\\x1b"
    assert escape_char("\u202e") == "\\u202e"
    assert escape_char("\U000e0001") == "\\U000e0001"


def test_fast_path_returns_same_text() -> None:
    name = "my-channel-group_01"
    assert clean(name) is name


@given(st.text(), st.booleans(), st.one_of(st.none(), st.integers(min_value=1, max_value=64)))
def test_output_is_inert_and_clean_is_idempotent(
    text: str, multiline: bool, max_len: int | None
) -> None:
    out = clean(text, multiline=multiline, max_len=max_len)
    assert unsafe_chars(out, multiline=multiline) == []
    assert "\r" not in out
    if multiline:
        assert "\t" not in out
    else:
        assert "\n" not in out
    if max_len is not None:
        assert len(out) <= max_len
    assert clean(out, multiline=multiline, max_len=max_len) == out


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_no_truncation_or_loss_of_safe_text(text: str) -> None:
    """Every safe character survives: cleaning only inserts escapes, never drops."""
    out = clean(text, multiline=True)
    safe = [c for c in text if unicodedata.category(c) not in UNSAFE and c not in "\r\t"]
    it = iter(out)
    assert all(c in it for c in safe)  # `safe` is a subsequence of `out`
