"""How each harvest-job status is shown, as plain data: its colour and its glyph; and
the glyphs of the tree's node kinds, guides and marks.

Shared by the tree, the detail pane and the timeline; a module of its own so that
the first frame does not wait for the timeline's layout code.

Every status has its own glyph, so the tree reads without colour (NO_COLOR, a
16-colour or monochrome terminal); FAILED is bold too. `use_ascii` swaps every glyph
for ASCII, for terminals whose fonts lack them (--ascii, `[settings] ascii = true`):
it is a property of the terminal, so it is set once per app, in the tables in place.
"""

from __future__ import annotations

# Rich style strings, kept as plain data so non-UI code can import them.
STATUS_STYLE: dict[str, str] = {
    "QUEUED": "yellow",
    "IN_PROGRESS": "cyan",
    "COMPLETED": "green",
    "FAILED": "bold red",
    "CANCELLED": "dim",
}
# FAILED's glyph (a job's row) and count (an endpoint's) stand out as a chip: white on
# red, which a monochrome terminal (NO_COLOR) shows as white on grey. (Reversed red would
# be dark on dark there: red is the darkest of the status colours.)
FAILED_MARK_STYLE = "bold white on red"

_UNICODE_STATUS = {
    "QUEUED": "◷",
    "IN_PROGRESS": "◐",  # not ▶: that is a collapsed node
    "COMPLETED": "✔",
    "FAILED": "✖",
    "CANCELLED": "⊘",
}
_ASCII_STATUS = {
    "QUEUED": "o",
    "IN_PROGRESS": "*",
    "COMPLETED": "v",
    "FAILED": "X",
    "CANCELLED": "/",
}
_UNICODE_KIND = {"region": "◎", "group": "▣", "channel": "◇", "endpoint": "⌁"}
_ASCII_KIND = {"region": "@", "group": "#", "channel": "=", "endpoint": ">"}
# Marks in labels: an error, a stale list, a hint, a cut name, a window's range.
_UNICODE_MARK = {"error": "✖", "stale": "⚠", "hint": "→", "cut": "…", "range": "–"}
_ASCII_MARK = {"error": "X", "stale": "!", "hint": "->", "cut": "~", "range": "-"}
# The tree's guides (space, vertical, last, branch) and its expand/collapse icons.
_UNICODE_TREE = {"lines": ("  ", "│ ", "└─", "├─"), "icons": ("▶ ", "▼ ")}
_ASCII_TREE = {"lines": ("  ", "| ", "`-", "|-"), "icons": ("+ ", "- ")}

STATUS_GLYPH: dict[str, str] = dict(_UNICODE_STATUS)
KIND_GLYPH: dict[str, str] = dict(_UNICODE_KIND)
MARK: dict[str, str] = dict(_UNICODE_MARK)
TREE_GLYPHS: dict[str, tuple[str, ...]] = dict(_UNICODE_TREE)
# What each glyph means, for the help screen's legend (statuses, then node kinds).
STATUS_MEANING = {
    "QUEUED": "queued",
    "IN_PROGRESS": "in progress",
    "COMPLETED": "completed",
    "FAILED": "failed",
    "CANCELLED": "cancelled",
}
KIND_MEANING = {
    "region": "region",
    "group": "channel group",
    "channel": "channel",
    "endpoint": "origin endpoint",
}
# For a status the service may add later; every glyph here is one cell wide.
UNKNOWN_STYLE = "magenta"
UNKNOWN_GLYPH = "?"


def use_ascii(on: bool) -> None:
    """Show ASCII glyphs everywhere (on) or the Unicode ones (off)."""
    for table, unicode, ascii in (
        (STATUS_GLYPH, _UNICODE_STATUS, _ASCII_STATUS),
        (KIND_GLYPH, _UNICODE_KIND, _ASCII_KIND),
        (MARK, _UNICODE_MARK, _ASCII_MARK),
        (TREE_GLYPHS, _UNICODE_TREE, _ASCII_TREE),
    ):
        table.clear()
        table.update(ascii if on else unicode)  # type: ignore[arg-type]


def ascii_on() -> bool:
    return STATUS_GLYPH == _ASCII_STATUS


def legend() -> list[tuple[str, str]]:
    """(glyph, meaning) for every status and node kind, and the expand icons."""
    rows = [(STATUS_GLYPH[s], f"job {meaning}") for s, meaning in STATUS_MEANING.items()]
    rows += [(KIND_GLYPH[k], meaning) for k, meaning in KIND_MEANING.items()]
    collapsed, expanded = TREE_GLYPHS["icons"]
    rows.append((f"{collapsed.strip()} {expanded.strip()}", "collapsed, expanded"))
    return rows
