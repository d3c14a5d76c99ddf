"""ProfilePicker: switch profile and region from the keyboard.

Each entry is one (profile, region); production and read-only profiles carry
their badges here too, so nobody switches into production by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from harvest_tui.safe_text import clean

Entry = tuple[Any, str | None]


def _region_text(region: str | None) -> str:
    return clean(region) if region else "(default region)"


def entry_label(
    profile: Any,
    region: str | None,
    active: bool,
    endpoint: str | None,
    *,
    columns: tuple[int, int] = (0, 0),
) -> Text:
    """One line of the list; `columns`: the name's and the region's widths, so that the
    lines of a list line up."""
    text = Text("● " if active else "  ", style="green" if active else "")
    name, where = clean(profile.name), _region_text(region)
    text.append(name + " " * (columns[0] - cell_len(name)), style="bold")
    text.append(f"  {where}" + " " * (columns[1] - cell_len(where)), style="cyan")
    if getattr(profile, "production", False):
        text.append("  PRODUCTION", style="bold red")
    if getattr(profile, "read_only", False):
        text.append("  read-only", style="yellow")
    source = getattr(profile, "aws_profile", None)
    text.append(f"  aws profile: {clean(source) if source else 'default chain'}", style="dim")
    if endpoint:
        text.append(f"  {clean(endpoint)}", style="dim")
    return text


class ProfilePicker(ModalScreen[Entry | None]):
    """Type to filter, ↑↓ to choose, Enter to connect, Esc to stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
    ]

    def __init__(
        self,
        entries: list[Entry],
        active: Any,
        *,
        endpoint_label: Callable[[Any], str | None],
        hint: str | None = None,
    ) -> None:
        super().__init__()
        self.entries = entries
        self.active = active
        self.endpoint_label = endpoint_label
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-body"):
            yield Label("Switch profile and region", id="picker-title")
            yield Input(placeholder="filter…", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Label("Enter connects · Esc cancels", id="picker-hint")
            if self.hint:
                yield Label(clean(self.hint), id="picker-config-hint", markup=False)

    def on_mount(self) -> None:
        self.fill("")
        self.query_one(Input).focus()

    def shows_current(self, profile: Any, region: str | None) -> bool:
        regions = tuple(self.active.regions)
        return profile.name == self.active.name and (
            region in regions or (region is None and not regions)
        )

    def fill(self, needle: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        self.shown_entries = [
            (profile, region)
            for profile, region in self.entries
            if needle.lower() in f"{profile.name} {region or ''}".lower()
        ]
        columns = (
            max((cell_len(clean(p.name)) for p, _ in self.shown_entries), default=0),
            max((cell_len(_region_text(r)) for _, r in self.shown_entries), default=0),
        )
        for profile, region in self.shown_entries:
            endpoint = self.endpoint_label(profile)
            active = self.shows_current(profile, region)
            label = entry_label(profile, region, active, endpoint, columns=columns)
            options.add_option(Option(label))
        if self.shown_entries:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.choose(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option_index)

    def choose(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.shown_entries):
            self.dismiss(self.shown_entries[index])

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown_entries:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.shown_entries) - 1, current + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)
