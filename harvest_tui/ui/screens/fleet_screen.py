"""FleetScreen: every job of every profile and region of the config, in one table.

`F` (or `harvest-tui --fleet`) opens it. It is the jobs screen (filters `/` and `s`,
sort, export `E`, reload `r`) over a FleetTable; its title counts the profile-regions
loaded and lists, one a line, those that could not be loaded, with the command that
fixes them. Enter posts `OpenJob`: the app shows that job in the explorer, on its profile
and region. Active jobs are polled as in the explorer (a JobWatcher of its own).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from harvest_tui.backend import Backend
from harvest_tui.config import Settings
from harvest_tui.fleet import FleetJob, FleetTarget
from harvest_tui.history import JobHistory, WatchKey
from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean
from harvest_tui.ui.screens.jobs_screen import JobsScreen
from harvest_tui.ui.watcher import JobWatcher
from harvest_tui.ui.widgets.fleet_table import FLEET_SCOPE, FleetTable
from harvest_tui.ui.widgets.jobs_table import JobsTable

MAX_ERRORS_SHOWN = 5
# The advice of hints written for one profile at a time (the explorer's p; commands.targets
# cli_hint words it for the command line): the fleet shows every profile already.
_SWITCH_PROFILE = ", or switch profile with p"


def fleet_hint(hint: str) -> str:
    """An error's hint as the fleet shows it, without advice to pick another profile."""
    return hint.replace(_SWITCH_PROFILE, "")


class FleetScreen(JobsScreen):
    """The fleet: the jobs screen over every target."""

    CSS_PATH = Path(__file__).with_name("fleet.tcss")

    @dataclass
    class OpenJob(Message):
        """Enter on a row: show `job` in the explorer, on `target`'s profile and region."""

        target: FleetTarget
        job: HarvestJob

    def __init__(
        self,
        targets: Sequence[tuple[FleetTarget, Backend]],
        *,
        settings: Settings,
        clock: Callable[[], datetime],
        tz: tzinfo,
    ) -> None:
        table = FleetTable(
            targets, concurrency=settings.fleet_concurrency, clock=clock, tz=tz, id="jobs-table"
        )
        super().__init__(
            FLEET_SCOPE,
            None,
            clock=clock,
            tz=tz,
            history=JobHistory(clock),
            settings=settings,
            table=table,
            backend_for=table.backends.get,
        )
        self.fleet = table

    def heading(self) -> Text:
        """ "Fleet  14 of 20 profile-regions, 2 could not be loaded", then a line per
        failure. Not "2 failed": above rows of FAILED jobs, that read as a count of them."""
        table = self.fleet
        total, done = len(table.targets), len(table.results)
        failures = table.failures
        title = Text("Fleet  ", style="bold")
        noun = "profile-region" if total == 1 else "profile-regions"
        title.append(f"{done} of {total} {noun}" if done < total else f"{total} {noun}")
        if failures:
            title.append(f", {len(failures)} could not be loaded", style="bold red")
        for result in failures[:MAX_ERRORS_SHOWN]:
            error, target = result.error, result.target
            assert error is not None
            title.append("\n✗ ", style="bold red")
            title.append(f"{clean(target.profile.name, max_len=40)} · {target.region_label}: ")
            title.append(clean(error.title, max_len=120), style="red")
            if error.hint:
                title.append(f" — {clean(fleet_hint(error.hint), max_len=160)}", style="dim")
        if len(failures) > MAX_ERRORS_SHOWN:
            title.append(f"\n  and {len(failures) - MAX_ERRORS_SHOWN} more", style="dim")
        return title

    def export_note(self) -> str:
        failed = [r.target for r in self.fleet.failures]
        if not failed:
            return ""
        named = ", ".join(
            f"{clean(t.profile.name, max_len=40)} · {t.region_label}" for t in failed[:3]
        )
        if len(failed) > 3:
            named += f" and {len(failed) - 3} more"
        return f" (not the jobs of {named}: they could not be loaded)"

    def on_jobs_table_progress(self, message: JobsTable.Progress) -> None:
        super().on_jobs_table_progress(message)
        if self.is_mounted:
            self.query_one("#jobs-title", Static).update(self.heading())

    @property
    def busy(self) -> bool:
        return super().busy or len(self.fleet.results) < len(self.fleet.targets)

    # Choosing: the explorer shows the job.

    def on_jobs_table_job_chosen(self, message: JobsTable.JobChosen) -> None:
        message.stop()
        job = message.job
        target = self.fleet.target_of(job) if isinstance(job, FleetJob) else None
        if target is not None:
            self.post_message(self.OpenJob(target, job))

    # Polling: the unfinished jobs listed, each on its target's backend.

    def watched_jobs(self) -> dict[WatchKey, HarvestJob]:
        return {
            (job.target, job.key): job
            for job in self.fleet.jobs.values()
            if isinstance(job, FleetJob) and not job.finished
        }

    def on_job_watcher_job_changed(self, message: JobWatcher.JobChanged) -> None:
        message.prevent_default()  # not JobsScreen's: the fleet's rows are FleetJobs
        target = next((t for t, _ in self.fleet.targets if t.key == message.region), None)
        if target is not None:
            backend = self.fleet.backends.get(target.key)
            region = backend.region if backend is not None else None
            self.fleet.update_job(FleetJob.found(message.job, target, region))


__all__ = ["FleetScreen"]
