"""ConfirmScreen: a yes/no question before anything changes in the account.

On production profiles a `y` is too easy to press by reflex: given `typed`, the
question is answered only by typing one of those words (a job's name, or its last 4
characters) and Enter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ConfirmScreen(ModalScreen[bool]):
    """y confirms (or, with `typed`, one of those words and Enter); n or Esc declines.
    The default is to do nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: Text, *, typed: Sequence[str] = (), prompt: str = "") -> None:
        super().__init__()
        self.question = question
        self.typed = tuple(w for w in typed if w)
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Static(self.question, id="confirm-question")
            if self.typed:
                yield Static(Text(self.prompt, style="bold"), id="confirm-prompt")
                yield Input(id="confirm-typed", compact=True)
                yield Static(id="confirm-mismatch")
                keys = "Enter: confirm   Esc: no"
            else:
                keys = "y: yes   n / Esc: no"
            yield Static(Text(keys, style="dim"), id="confirm-keys")

    def on_mount(self) -> None:
        if self.typed:
            self.query_one("#confirm-typed", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() in self.typed:
            self.dismiss(True)
            return
        self.query_one("#confirm-mismatch", Static).update(
            Text("That does not match: nothing was done. Type it exactly, or Esc.", "bold red")
        )

    def action_answer(self, yes: bool) -> None:
        if yes and self.typed:
            return  # only the typed words confirm
        self.dismiss(yes)
