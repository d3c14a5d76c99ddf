"""WatchingStrip: every queued and in-progress job of the loaded channel groups.

Not only the jobs in view: the group watcher lists each open group's active jobs, so a
job started in a collapsed channel shows here too, with its age and window. Enter goes
to the job in the tree. Hidden while nothing is active; a few lines at most (it scrolls).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean
from harvest_tui.statuses import STATUS_GLYPH, STATUS_STYLE
from harvest_tui.timefmt import format_duration
from harvest_tui.ui.widgets.choice_list import ChoiceList
from harvest_tui.ui.widgets.tree_nodes import window_text

WatchedJob = tuple[str, HarvestJob]  # (region, job)


def watch_key(watched: WatchedJob) -> tuple[str, tuple[str, str, str, str]]:
    return watched[0], watched[1].key


def watching_row(job: HarvestJob, now: datetime, tz: tzinfo) -> Text:
    """`▶ cup-final-full-match  12 min  11-02 10:00–12:00  live-sports/football-main/cmaf`"""
    status = str(job.status)
    row = Text()
    row.append(f"{STATUS_GLYPH.get(status, '?')} ", style=STATUS_STYLE.get(status, ""))
    row.append(clean(job.name, max_len=80), style="bold")
    age = now - job.created_at
    row.append(f"  {format_duration(age, parts=1) if age.total_seconds() > 0 else 'new'}")
    row.append(f"  {window_text(job, tz)}", style="dim")
    where = "/".join(clean(part, max_len=40) for part in job.key[:3])
    row.append(f"  {where}", style="dim italic")
    return row


class WatchingStrip(ChoiceList):
    """The active jobs, newest first; Enter posts `Chosen` with the job to go to."""

    DEFAULT_CSS = """
    WatchingStrip {
        height: auto;
        max-height: 18%;  /* 3 jobs at 24 lines, 6 at 40 */
        min-height: 2;
        border: none;
        border-top: solid $accent 50%;
        padding: 0 1;
        display: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WatchingStrip:focus { border-top: solid $accent; }
    WatchingStrip.-active { display: block; }
    """

    @dataclass
    class Chosen(Message):
        """A job was chosen: go to it in the tree."""

        region: str
        key: tuple[str, str, str, str]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.jobs: list[WatchedJob] = []
        self.border_title = "watching"

    def show_jobs(self, jobs: list[WatchedJob], now: datetime, tz: tzinfo) -> None:
        """Show `jobs` (newest first), keeping the highlighted job where it still is."""
        jobs = sorted(jobs, key=lambda rj: (rj[1].created_at, rj[1].key), reverse=True)
        at = self.highlighted
        keep = watch_key(self.jobs[at]) if at is not None and at < len(self.jobs) else None
        rows = [watching_row(job, now, tz) for _, job in jobs]
        if jobs == self.jobs and [o.prompt for o in self.options] == rows:
            return
        self.jobs = jobs
        self.set_options(Option(row) for row in rows)
        keys = [watch_key(rj) for rj in jobs]
        if keep in keys:
            self.highlighted = keys.index(keep)
        n = len(jobs)
        self.border_title = f"watching {n} active job{'s' if n != 1 else ''} (w, Enter goes to it)"
        self.set_class(bool(jobs), "-active")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.jobs):
            region, job = self.jobs[event.option_index]
            self.post_message(self.Chosen(region, job.key))
