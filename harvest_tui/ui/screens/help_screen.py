"""HelpScreen: every key binding on one page, reachable with ? from anywhere."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
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

# The keys of the jobs table (JobsScreen, JobsTable), which the fleet shares; written out
# as README's Keys section says them, since their bindings' descriptions are footer words.
JOBS_TABLE_ROWS = [
    ("1 … 9", "Sort by that column (again: reverse)"),
    ("o", "Sort by the next column"),
    ("/  s", "Filter by name · show one status"),
    ("Enter  →  l", "The job's detail (fleet: in the explorer)"),
    ("shift+→  shift+←", "Scroll the columns, a column at a time"),
    ("E", "Export the rows shown: CSV or JSON lines"),
    ("r", "Read the jobs again"),
    ("Esc", "Close what is open, then go back"),
]


def keys_table(rows: list[tuple[str, str]], keys_width: int) -> Table:
    """(keys, what they do) rows; `keys_width`, so that two of them line up."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True, width=keys_width)
    table.add_column()
    for keys, description in rows:
        table.add_row(Text(keys), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """The key bindings, as (keys, what they do) rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max(cell_len(keys) for keys, _ in [*self.rows, *JOBS_TABLE_ROWS])
        with VerticalScroll(id="help-body"):
            yield Static(Text("harvest-tui — keys", style="bold"), id="help-title")
            yield Static(keys_table(self.rows, width), id="help-table")
            yield Static(
                Text("In the jobs table (J) and the fleet (F)", style="bold"), id="help-jobs-title"
            )
            yield Static(keys_table(JOBS_TABLE_ROWS, width), id="help-jobs-table")
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
