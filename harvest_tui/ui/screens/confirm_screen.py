"""ConfirmScreen: a yes/no question before anything changes in the account."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """y confirms; n or Esc declines. The default is to do nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Static(self.question, id="confirm-question")
            yield Static(Text("y: yes   n / Esc: no", style="dim"), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
