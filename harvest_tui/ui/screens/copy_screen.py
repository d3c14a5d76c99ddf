"""CopyScreen: the copy fallback for terminals without OSC 52.

It shows the text in a read-only text area, selected and ready for the
terminal's own copy.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TabbedContent, TabPane, TextArea

from harvest_tui.safe_text import clean
from harvest_tui.ui.textual_private import let_removed_widgets_go


class CopyScreen(ModalScreen[None]):
    """One tab per copyable value (ARN, ETag, JSON, the last copy)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", key_display="esc"),
    ]

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__()
        self.items = items

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-body"):
            yield Label("Select the text with your terminal, then copy it. Esc closes.")
            with TabbedContent():
                for i, (title, text) in enumerate(self.items):
                    with TabPane(title, id=f"copy-{i}"):
                        area = TextArea(clean(text, multiline=True), read_only=True)
                        area.show_line_numbers = False
                        yield area

    def on_mount(self) -> None:
        area = self.query(TextArea).first()
        area.focus()
        area.select_all()

    def on_unmount(self) -> None:
        """Let the text areas go: each watches the app's theme, and Textual would keep
        them for as long as the app (see let_removed_widgets_go)."""
        let_removed_widgets_go(self.app)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
