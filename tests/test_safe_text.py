"""clean(): hostile API strings must reach the terminal inert and visibly escaped."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvest_tui.safe_text import MAX_MARKS, clean, copyable, escape_char

UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
MARKS = {"Mn", "Me"}


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
    # Combining marks (capped) and the variation selectors (dropped) have tests of their own.
    kept = UNSAFE | MARKS
    safe = [c for c in text if unicodedata.category(c) not in kept and c not in "\r\t"]
    it = iter(out)
    assert all(c in it for c in safe)  # `safe` is a subsequence of `out`


# Combining marks and variation selectors: what a terminal draws where the UI expects it


def longest_mark_run(text: str) -> int:
    longest = run = 0
    for c in text:
        run = run + 1 if unicodedata.category(c) in MARKS else 0
        longest = max(longest, run)
    return longest


def test_a_stack_of_combining_marks_is_capped_and_the_rest_escaped() -> None:
    zalgo = "Z" + "\u0301" * 50 + "algo"
    out = clean(zalgo)
    assert out == "Z\u0301\u0301" + "\\u0301" * 48 + "algo"
    assert longest_mark_run(out) == MAX_MARKS == 2
    assert clean(out) == out


def test_the_cap_is_per_base_character() -> None:
    assert clean("a\u0301\u0302\u0303b\u0301\u0302") == "a\u0301\u0302\\u0303b\u0301\u0302"
    assert clean("\u20dd\u20dd\u20dd") == "\u20dd\u20dd\\u20dd"  # enclosing marks too


@pytest.mark.parametrize("text", ["Tiếng Việt", "ภาษาไทย", "नमस्ते", "café"])
def test_real_scripts_keep_their_marks(text: str) -> None:
    for form in ("NFC", "NFD"):
        normal = unicodedata.normalize(form, text)
        assert clean(normal) == normal


def test_emoji_variation_selectors_are_dropped_so_widths_agree() -> None:
    from rich.cells import cell_len

    assert clean("☁️ cloud") == "☁ cloud"
    assert clean("\u2601\ufe0e") == "\u2601"
    assert clean("1\ufe0f\u20e3") == "1\u20e3"  # keycap: the enclosing mark stays
    assert cell_len(clean("☁️|")) == cell_len("☁|") == 2
    assert clean("🎬") == "🎬"  # emoji without a selector are left alone


def test_dropped_selectors_do_not_cut_text_short() -> None:
    text = "a" + "\ufe0f" * 100 + "bcdefghijk"
    assert clean(text, max_len=5) == "abcd…"
    assert clean(text) == "abcdefghijk"


marky = st.text(
    alphabet=st.sampled_from("ab\u0301\u0302\u0303\u20dd\ufe0f\ufe0e\x1b\n\t e")
    | st.characters(categories=["Mn", "Me", "Ll"]),
)


@given(marky, st.booleans(), st.one_of(st.none(), st.integers(min_value=1, max_value=64)))
def test_marks_are_capped_selectors_gone_and_clean_idempotent(
    text: str, multiline: bool, max_len: int | None
) -> None:
    out = clean(text, multiline=multiline, max_len=max_len)
    assert longest_mark_run(out) <= MAX_MARKS
    assert "\ufe0f" not in out and "\ufe0e" not in out
    assert unsafe_chars(out, multiline=multiline) == []
    assert clean(out, multiline=multiline, max_len=max_len) == out


# copyable: what may go to the clipboard as it is

ARN = (
    "arn:aws:mediapackagev2:us-east-1:123456789012:channelGroup/live-sports/channel/c1/"
    "originEndpoint/e1/harvestJob/job-1"
)


@pytest.mark.parametrize(
    "arn",
    [ARN, ARN.replace("arn:aws:", "arn:aws-us-gov:"), ARN.replace("arn:aws:", "arn:aws-cn:")],
)
def test_a_mediapackage_arn_is_copyable(arn: str) -> None:
    assert copyable("arn", arn) == arn


@pytest.mark.parametrize(
    "arn",
    [
        "",
        ARN + "\x1b]52;c;aGk=\x07",
        ARN + "\n",
        ARN + " ",
        ARN.replace("job-1", "job\u202e1"),
        ARN.replace("mediapackagev2", "s3"),
        "arn:aws:mediapackagev2:us-east-1:12345:channelGroup/g",
        "$(rm -rf ~)",
        ARN + "x" * 3000,
    ],
)
def test_anything_else_is_not_a_copyable_arn(arn: str) -> None:
    assert copyable("arn", arn) is None


@pytest.mark.parametrize(
    ("etag", "ok"),
    [
        ("a1b2c3d4", True),
        ('"abc-123=="', True),
        ("", False),
        ("abc\x1b[2J", False),
        ("abc\n", False),
        ("abc\u200b", False),
        ("é", False),
    ],
)
def test_an_etag_is_copyable_only_as_printable_ascii(etag: str, ok: bool) -> None:
    assert copyable("etag", etag) == (etag if ok else None)


def test_copyable_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        copyable("json", "{}")  # type: ignore[arg-type]
