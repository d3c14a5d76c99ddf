"""StatusPicker: show only jobs in one status, or the active ones, or all."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from harvest_tui.models import JobStatus
from harvest_tui.ui.widgets.choice_list import ChoiceList

CHOICES: list[tuple[str, tuple[JobStatus, ...] | None]] = [
    ("All", None),
    ("Active (QUEUED + IN_PROGRESS)", (JobStatus.QUEUED, JobStatus.IN_PROGRESS)),
    ("QUEUED", (JobStatus.QUEUED,)),
    ("IN_PROGRESS", (JobStatus.IN_PROGRESS,)),
    ("COMPLETED", (JobStatus.COMPLETED,)),
    ("FAILED", (JobStatus.FAILED,)),
    ("CANCELLED", (JobStatus.CANCELLED,)),
]


def describe(statuses: tuple[JobStatus, ...] | None) -> str:
    """The picker's words for a filter ("" for none)."""
    if statuses is None:
        return ""
    if set(statuses) == {JobStatus.QUEUED, JobStatus.IN_PROGRESS}:
        return "Active"
    return " + ".join(str(s) for s in statuses)


class StatusPicker(ModalScreen[tuple[JobStatus, ...] | None | bool]):
    """↑↓ (or j k) and Enter choose; Esc keeps the filter as it is (dismisses with False)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: tuple[JobStatus, ...] | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="status-body"):
            yield Label("Show harvest jobs in status", id="status-title")
            yield ChoiceList(*(Option(label) for label, _ in CHOICES), id="status-list")
            yield Label("Enter chooses · Esc cancels", id="status-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next((i for i, (_, s) in enumerate(CHOICES) if s == self.current), 0)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(CHOICES[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(False)
