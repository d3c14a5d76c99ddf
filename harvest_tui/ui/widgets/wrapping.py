"""Text that wraps where a reader expects: ARNs and S3 paths after `/` and `:`, words at
spaces, and never inside a glued phrase ("(18 s ago)", "○ COMPLETED").

Rich's own wrap breaks at any whitespace, a no-break space (U+00A0) included, and ARNs
not at all. Here `glued` joins words with U+00A0, which no line breaks at, and a wrapped
line draws it as a plain space, so nothing else sees it. Textual's own text (Content,
what a Static makes of a Text it is given) wraps at every space too: a Static shows such
text through `RichWrapped`.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod, RenderResult
from rich.containers import Lines
from rich.measure import Measurement
from rich.text import Text

BREAK_AFTER = "/: "  # ARNs, s3:// URIs and URLs wrap after these, not mid-name
GLUE = "\u00a0"  # a space that no line breaks at


def glued(words: str) -> str:
    """`words` as one unbreakable run: its spaces are never a line's end."""
    return words.replace(" ", GLUE)


def drawn_alike(a: Text, b: Text) -> bool:
    """The same text, styles and all (Text's own == leaves out its styles)."""
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans


def break_offsets(plain: str, width: int, breaks: str = BREAK_AFTER) -> list[int]:
    """Where to cut `plain` into lines of at most `width` cells: after the last of `breaks`
    that fits, else (a token wider than the line) at the width itself."""
    offsets: list[int] = []
    start, cells, last_break = 0, 0, -1
    for i, ch in enumerate(plain):
        w = cell_len(ch)
        if cells + w > width and i > start:
            end = last_break if last_break > start else i
            offsets.append(end)
            start = end
            cells = cell_len(plain[start:i])
            seps = [j + 1 for j in range(start, i) if plain[j] in breaks]
            last_break = seps[-1] if seps else -1
        cells += w
        if ch in breaks:
            last_break = i + 1
    return offsets


def _unglued(line: Text) -> Text:
    if GLUE not in line.plain:
        return line
    plain = line.plain.replace(GLUE, " ")  # as long: the spans still fit
    return Text(plain, style=line.style, spans=list(line.spans), end=line.end)


class BreakingText(Text):
    """Text that wraps after `/`, `:` and spaces (ARNs, S3 paths), folding a token only
    when it is wider than the line on its own, and never at a glued space."""

    breaks = BREAK_AFTER

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        lines = Lines()
        for line in self.split("\n", allow_blank=True):
            offsets = break_offsets(line.plain, max(width, 1), self.breaks)
            lines.extend(line.divide(offsets) if offsets else [line])
        for line in lines:
            line.rstrip_end(width)
        return Lines(_unglued(line) for line in lines)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        parts = re.split(f"(?<=[{re.escape(self.breaks)}])", self.plain)
        widest = max((cell_len(part) for part in parts), default=0)
        longest = max((cell_len(line) for line in self.plain.split("\n")), default=0)
        return Measurement(min(widest, options.max_width), longest)


class SpacedText(BreakingText):
    """Text that wraps at spaces only, as Rich's does, but never at a glued one."""

    breaks = " "


class RichWrapped:
    """`text` for a Static, drawn by Rich so that its own `wrap` runs (given a Text, a
    Static turns it into Textual's Content, which wraps at every space, glued or not)."""

    __slots__ = ("text",)

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RichWrapped) and drawn_alike(self.text, other.text)

    __hash__ = None  # type: ignore[assignment]
