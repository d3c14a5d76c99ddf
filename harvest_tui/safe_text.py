"""Turning untrusted strings into text that is safe to put on a terminal.

Every string the API hands us (names, descriptions, tags, error messages, S3 paths,
ETags, manifest names) is attacker-controlled as far as the UI is concerned: anyone
who can create a harvest job can choose its description. Printed raw, such a string
could carry terminal escape sequences (``ESC ]52`` writes the clipboard, ``ESC [2J``
clears the screen), C1 controls that some terminals honour (``\\x9b`` is a one-byte
CSI), or invisible Unicode that makes a name read differently from what it is
(bidi overrides, zero-width characters).

:func:`clean` replaces every such character with a *visible* escape (``\\x1b``,
``\\u202e``) so the user sees that something odd is there, rather than silently
dropping it. It does not deal with markup: the UI must build ``rich.text.Text`` /
``textual.content.Content`` from the cleaned plain string and never parse it as markup.

It also keeps what it passes drawable in the cells the UI reserves for it: a stack of
combining marks (Zalgo text) is capped at :data:`MAX_MARKS` per base character, the rest
escaped, since some terminals draw a tall stack over the neighbouring rows; and the
emoji variation selectors U+FE0E/U+FE0F are dropped, because Rich counts ``☁️`` as two
columns while tmux and many terminals draw one, which shifts everything after it.

:func:`copyable` decides whether an ARN or an ETag may go to the clipboard as it is.

No Rich or Textual import here: this module is plain string work, and fast, because
it runs on thousands of tree labels.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["ELLIPSIS", "MAX_MARKS", "clean", "copyable", "escape_char"]

ELLIPSIS = "…"

# Categories whose characters never reach the terminal as themselves: controls (Cc),
# format characters such as bidi overrides and zero-width joiners (Cf), lone
# surrogates from bad decoding (Cs), and line/paragraph separators (Zl, Zp), which
# some widgets would treat as line breaks. Private use (Co) and unassigned (Cn) code
# points are left alone: they are inert glyphs, and a Nerd Font icon is legitimate.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

# Beyond this many distinct code points the tables stop memoising, so that hostile
# input spraying the whole Unicode range cannot grow them without bound.
_CACHE_LIMIT = 1 << 16

# What a tab becomes in single-line mode (a tree label): harmless whitespace.
_SINGLE_LINE_TAB = " "
_TAB_SIZE = 4

# Combining marks kept on one base character (Vietnamese needs two: ệ is e + ̣ + ̂).
MAX_MARKS = 2
_MARK_CATEGORIES = frozenset({"Mn", "Me"})
# Text and emoji presentation selectors: dropped, since terminals disagree on their width.
_SELECTORS = ("\ufe0e", "\ufe0f")


def escape_char(ch: str) -> str:
    """The visible escape for one character, as Python writes it: ``\\x1b``, ``\\u202e``."""
    cp = ord(ch)
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


class _Table(dict[int, str]):
    """A ``str.translate`` table that classifies each code point the first time it is seen.

    Building a table for all 1.1 million code points up front would cost a noticeable
    fraction of a second at import; memoising on demand makes the steady state a pure
    C-level dict lookup per character.
    """

    def __init__(self, *, multiline: bool) -> None:
        super().__init__()
        self.multiline = multiline

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch == "\n":
            out = "\n" if self.multiline else "\\n"
        elif ch == "\t":
            out = "\t" if self.multiline else _SINGLE_LINE_TAB
        elif unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            out = escape_char(ch)
        else:
            out = ch
        if len(self) < _CACHE_LIMIT:
            self[cp] = out
        return out


_SINGLE_LINE = _Table(multiline=False)
_MULTILINE = _Table(multiline=True)


class _MarkProbe(dict[int, str | None]):
    """A ``str.translate`` table that keeps combining marks and deletes everything else,
    so that counting the marks of a string runs at C speed."""

    def __missing__(self, cp: int) -> str | None:
        out = chr(cp) if unicodedata.category(chr(cp)) in _MARK_CATEGORIES else None
        if len(self) < _CACHE_LIMIT:
            self[cp] = out
        return out


_MARKS = _MarkProbe()


def _cap_marks(text: str) -> str:
    """`text` with the combining marks after the first MAX_MARKS on a base escaped."""
    out: list[str] = []
    run = 0
    for ch in text:
        run = run + 1 if _MARKS[ord(ch)] else 0
        out.append(escape_char(ch) if run > MAX_MARKS else ch)
    return "".join(out)


def _to_str(s: object) -> str:
    if isinstance(s, str):
        return s
    if isinstance(s, bytes | bytearray):
        return bytes(s).decode("utf-8", "backslashreplace")
    try:
        return str(s)
    except Exception:  # a hostile or broken __str__ must not take the UI down
        return object.__repr__(s)


def clean(s: object, *, multiline: bool = False, max_len: int | None = None) -> str:
    """`s` as plain text that cannot control the terminal or hide what it says.

    - ``None`` gives ``""``; bytes are decoded as UTF-8 (bad bytes as ``\\xNN``);
      anything else goes through ``str()``.
    - Controls (C0, DEL, C1), format characters (bidi overrides and isolates,
      zero-width characters, BOM, soft hyphen, tag characters), lone surrogates and
      U+2028/U+2029 become visible escapes such as ``\\x1b`` or ``\\u202e``.
    - ``\\r\\n`` and ``\\r`` count as ``\\n``. Single-line mode (the default, for labels)
      shows a newline as the two characters ``\\n`` and a tab as a space; multiline
      mode keeps newlines and expands tabs to 4-column stops.
    - At most MAX_MARKS combining marks stay on one character; the rest are escaped.
      The variation selectors U+FE0E and U+FE0F are dropped (``☁️`` becomes ``☁``).
    - ``max_len`` caps the result's length in characters, ending it with ``…``.

    Backslashes already in `s` are kept as they are, so a description containing the
    text ``\\x1b`` looks like one containing ESC: the aim is safety and visibility,
    not a reversible encoding. In exchange ``clean`` is idempotent: the output holds
    nothing it would change, so ``clean(clean(s, **kw), **kw) == clean(s, **kw)``.
    """
    if s is None:
        return ""
    text = _to_str(s)
    ascii_only = text.isascii()
    if not ascii_only:
        for selector in _SELECTORS:
            if selector in text:
                text = text.replace(selector, "")
    if max_len is not None:
        if max_len <= 0:
            return ""
        # Every input character yields at least one output character, except that
        # "\r\n" yields one: a prefix this long still overflows, so truncating the
        # input first saves escaping a megabyte only to throw it away.
        text = text[: 2 * max_len + 2]
    # Fast path: printable means no Cc/Cf/Cs/Zl/Zp (nor \n, \t), so nothing to do.
    if not text.isprintable():
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.translate(_MULTILINE if multiline else _SINGLE_LINE)
        if multiline and "\t" in text:
            text = text.expandtabs(_TAB_SIZE)
    # ASCII has no combining marks; otherwise count them at C speed before looking closer.
    if not ascii_only and len(text.translate(_MARKS)) > MAX_MARKS:
        text = _cap_marks(text)
    if max_len is not None and len(text) > max_len:
        text = text[: max_len - 1] + ELLIPSIS
    return text


# What an ARN of this service looks like: partition, region, account, resource path.
_ARN = re.compile(r"arn:aws[a-z-]*:mediapackagev2:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_./:-]+", re.ASCII)
_MAX_COPY = 2048


def copyable(kind: Literal["arn", "etag"], text: str) -> str | None:
    """`text` if it may go to the clipboard as it is, else None.

    An ARN must look like a MediaPackage v2 ARN (``arn:aws…:mediapackagev2:…``); an ETag
    must be printable ASCII. Either way nothing that could drive a terminal or a shell
    it is pasted into gets through. On None, refuse the copy and show ``clean(text)``,
    which makes the offending characters visible.
    """
    if not isinstance(text, str) or not text or len(text) > _MAX_COPY:
        return None
    if kind == "arn":
        return text if _ARN.fullmatch(text) else None
    if kind == "etag":
        return text if text.isascii() and text.isprintable() else None
    raise ValueError(f"unknown kind of copyable text: {kind!r}")
