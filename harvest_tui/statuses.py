"""How each harvest-job status is shown, as plain data: its colour and its glyph.

Shared by the tree, the detail pane and the timeline; a module of its own so that
the first frame does not wait for the timeline's layout code.
"""

from __future__ import annotations

# Rich style strings, kept as plain data so non-UI code can import them.
STATUS_STYLE: dict[str, str] = {
    "QUEUED": "yellow",
    "IN_PROGRESS": "cyan",
    "COMPLETED": "green",
    "FAILED": "red",
    "CANCELLED": "dim",
}
STATUS_GLYPH: dict[str, str] = {
    "QUEUED": "◷",
    "IN_PROGRESS": "▶",
    "COMPLETED": "✔",
    "FAILED": "✖",
    "CANCELLED": "⊘",
}
# For a status the service may add later; every glyph here is one cell wide.
UNKNOWN_STYLE = "magenta"
UNKNOWN_GLYPH = "?"
