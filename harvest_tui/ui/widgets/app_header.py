"""AppHeader: which account the user is looking at, and what is in flight.

Production and read-only profiles are marked loudly, because acting on the
wrong account is the mistake this header exists to prevent.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from harvest_tui.safe_text import clean


class AppHeader(Static):
    """One line: app name, profile (with badges), region(s), endpoint, activity."""

    activity: reactive[str] = reactive("")
    tz_label: reactive[str] = reactive("UTC")
    filter_note: reactive[str] = reactive("")  # the name filter and what it found
    status_note: reactive[str] = reactive("")  # the status filter
    cache_note: reactive[str] = reactive("")  # a cached view on screen (the warm start)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.profile = ""
        self.regions: tuple[str, ...] = ()
        self.endpoint: str | None = None
        self.production = False
        self.read_only = False

    def set_connection(
        self,
        *,
        profile: str,
        regions: tuple[str, ...],
        endpoint: str | None,
        production: bool,
        read_only: bool,
    ) -> None:
        self.profile = profile
        self.regions = regions
        self.endpoint = endpoint
        self.production = production
        self.read_only = read_only
        self.set_class(production, "-production")
        self.refresh_text()

    def watch_activity(self) -> None:
        self.refresh_text()

    def watch_tz_label(self) -> None:
        self.refresh_text()

    def watch_filter_note(self) -> None:
        self.refresh_text()

    def watch_status_note(self) -> None:
        self.refresh_text()

    def watch_cache_note(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        """Profile · region · endpoint, most important first so a narrow terminal keeps it."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" harvest-tui ", style="bold reverse")
        text.append(" ")
        text.append(clean(self.profile, max_len=40), style="bold")
        if self.production:
            text.append(" ")
            text.append(" PRODUCTION ", style="bold white on red")
        if self.read_only:
            text.append(" ")
            text.append(" READ-ONLY ", style="bold black on yellow")
        text.append(" · ", style="dim")
        text.append(clean(", ".join(self.regions) or "default region", max_len=60))
        if self.cache_note:
            text.append(f"  {clean(self.cache_note, max_len=60)}", style="bold yellow")
        for note in (self.status_note, self.filter_note):
            if note:
                text.append("  ")
                text.append(clean(note, max_len=80), style="bold reverse")
        if self.activity:
            text.append(f"  {self.activity}", style="italic yellow")
        text.append(f"  {self.tz_label}", style="dim")
        if self.endpoint:
            text.append(f"  {clean(self.endpoint, max_len=60)}", style="dim")
        self.update(text, layout=False)  # always one line high: no need to lay out the screen
