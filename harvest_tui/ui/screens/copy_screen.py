"""CopyScreen (v): the copy fallback for terminals without OSC 52.

Each value sits unwrapped on its own line(s), under its name, with no border, from
the screen's first column: a terminal's own selection picks up the value and nothing
else (no box characters, no line breaks the app added). Long lines scroll sideways.
Toasts are hidden here, so none covers a value.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Static

from harvest_tui.safe_text import clean

INTRO = (
    "Select a value with your terminal, then copy it: Shift-drag selects while the app "
    "holds the mouse (Option-drag in iTerm2). A value wider than the screen goes on to the "
    "right: ← → scroll, or widen the terminal. Esc closes."
)


class CopyScreen(Screen[None]):
    """Every copyable value (the last copy, ARN, ETag, JSON), plainly, one after another."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", key_display="esc"),
    ]

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__()
        self.items = items

    def compose(self) -> ComposeResult:
        yield Static(Text(INTRO, style="dim"), id="copy-intro")
        with ScrollableContainer(id="copy-values"):
            for title, text in self.items:
                yield Static(Text(title, style="bold"), classes="copy-title")
                value = Text(clean(text, multiline=True), no_wrap=True, overflow="ignore")
                yield Static(value, classes="copy-value")

    def on_mount(self) -> None:
        self.query_one("#copy-values").focus()

    def action_close(self) -> None:
        self.dismiss(None)
