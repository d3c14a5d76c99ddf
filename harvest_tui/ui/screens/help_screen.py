"""HelpScreen: every key binding on one page, reachable with ? from anywhere."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from harvest_tui.statuses import STATUS_MEANING, STATUS_STYLE, legend


def legend_table() -> Table:
    """What the tree's glyphs mean (ASCII ones under --ascii), in two columns."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, width=4)
    table.add_column()
    table.add_column(no_wrap=True, width=4)
    table.add_column()
    rows = legend()
    half = (len(rows) + 1) // 2
    for i, (glyph, meaning) in enumerate(rows[:half]):
        right = rows[half + i] if half + i < len(rows) else ("", "")
        table.add_row(
            Text(glyph, style=_GLYPH_STYLE.get(meaning, "bold")),
            Text(meaning),
            Text(right[0], style=_GLYPH_STYLE.get(right[1], "bold")),
            Text(right[1]),
        )
    title = Table.grid()
    title.add_row(Text("Glyphs", style="bold"))
    title.add_row(table)
    return title


_GLYPH_STYLE = {f"job {m}": STATUS_STYLE[s] for s, m in STATUS_MEANING.items()}


class HelpScreen(ModalScreen[None]):
    """The key bindings, as (keys, what they do) rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, description in self.rows:
            table.add_row(Text(keys), Text(description))
        with VerticalScroll(id="help-body"):
            yield Static(Text("harvest-tui — keys", style="bold"), id="help-title")
            yield Static(table, id="help-table")
            yield Static(legend_table(), id="help-legend")
            yield Static(
                Text(
                    "Jobs that are queued or in progress are watched until they finish.\n"
                    "Esc closes this help.",
                    style="dim",
                ),
                id="help-footer",
            )

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
