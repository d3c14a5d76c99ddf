"""JobsScreen: every job below a tree node in one table, its detail beside it.

`J` on a channel group, channel or origin endpoint opens it. The table loads itself
(JobsTable); the screen routes: a chosen row to the detail pane, the table's progress
and filters to the status bar, `/` and `s` to the filters, `E` to an export (which asks
before replacing a file). Its unfinished jobs are polled (a JobWatcher of its own), so
their rows follow their status. Esc closes what is open, then returns to the tree as it
was left.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from harvest_tui.backend import Backend
from harvest_tui.config import Settings
from harvest_tui.export import ExportFormat, default_filename, export_text, format_of
from harvest_tui.history import JobHistory, WatchKey
from harvest_tui.models import HarvestJob
from harvest_tui.safe_files import check_target, write_private_file
from harvest_tui.safe_text import clean
from harvest_tui.ui.calls import CallRetrying
from harvest_tui.ui.watcher import JobWatcher
from harvest_tui.ui.widgets.app_footer import AppFooter
from harvest_tui.ui.widgets.choice_list import ChoiceList
from harvest_tui.ui.widgets.detail_pane import DetailPane
from harvest_tui.ui.widgets.jobs_table import (
    STATUS_CHOICES,
    JobsScope,
    JobsTable,
    jobs_scope,
    loaded_summary,
)

FILTER_DEBOUNCE = 0.12  # seconds of no typing before 10,000 rows are filtered again
PROMPTS = {
    "jobs-filter": "Filter: Enter keeps it, Esc clears it",
    "jobs-status-picker": "Show the jobs in: Enter picks, Esc keeps the filter as it is",
    "jobs-export-path": "Export the rows shown to (.csv or .jsonl): Enter writes, Esc cancels",
}

__all__ = ["JobsScreen", "jobs_scope"]


class JobsScreen(Screen[None]):
    """The jobs of a scope: sort, filter, detail, export."""

    AUTO_FOCUS = "#jobs-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="jobs_back", tooltip="Close what is open, or go back"),
        Binding("slash", "filter", "Filter", key_display="/", id="jobs_filter"),
        Binding("s", "pick_status", "Status", id="jobs_status", tooltip="Show one status only"),
        Binding(
            "E", "export", "Export", id="jobs_export", tooltip="Write the rows to CSV or JSONL"
        ),
        Binding("r", "reload", "Reload", id="jobs_reload", tooltip="List the jobs again"),
        Binding("tab", "focus_next", "Next pane", show=False),
    ]

    @dataclass
    class _Exported(Message):
        path: Path
        rows: int
        error: OSError | None

    @dataclass
    class _ExportWouldReplace(Message):
        """The export's file exists: it is replaced only if the user says so."""

        path: Path
        jobs: list[HarvestJob]
        fmt: ExportFormat

    def __init__(
        self,
        scope: JobsScope,
        backend: Backend | None,
        *,
        clock: Callable[[], datetime],
        tz: tzinfo,
        history: JobHistory,
        settings: Settings,
        table: JobsTable | None = None,
        backend_for: Callable[[str], Backend | None] | None = None,
    ) -> None:
        """`table`: another kind of JobsTable (the fleet's); `backend` None: no detail.
        `backend_for`: the backend of a watched job's region (by default `backend`, for
        the scope's region)."""
        super().__init__()
        self.scope = scope
        self.backend = backend
        self.clock = clock
        self.history = history
        self.table = table or JobsTable(scope, backend, clock=clock, tz=tz, id="jobs-table")
        self.watcher = JobWatcher(
            history=history,
            settings=settings,
            watched=self.watched_jobs,
            backend_for=backend_for or self._scope_backend,
        )
        self.detail = DetailPane(clock=clock, history=history, tz=tz, id="jobs-detail")
        self.progress = JobsTable.Progress(0, 0, False, None)
        self._retry_note = ""
        self._filter_timer: Timer | None = None

    def heading(self) -> Text:
        title = Text("Harvest jobs  ", style="bold")
        title.append(self.scope.label)
        title.append(f" · {clean(self.scope.region)}", style="dim")
        return title

    def compose(self) -> ComposeResult:
        yield Static(self.heading(), id="jobs-title")
        with Horizontal(id="jobs-main"):
            yield self.table
            yield self.detail
        yield Input(
            placeholder="part of a job, channel or endpoint name", id="jobs-filter", compact=True
        )
        status_options = [Option(Text(label), id=label) for label in STATUS_CHOICES]
        yield ChoiceList(*status_options, id="jobs-status-picker")
        yield Input(id="jobs-export-path", compact=True)
        yield Static(id="jobs-status-bar")
        yield AppFooter()
        yield self.watcher

    def on_mount(self) -> None:
        self.show_status_bar()

    @property
    def busy(self) -> bool:
        """Whether anything loads or is about to (for tests that wait for quiet)."""
        return (
            self.table.reading
            or bool(self.table.pending)
            or self.detail.pending
            or self.detail.loading
            or any(w.is_running for w in self.app.workers)
        )

    # The status bar: counts, sort, filters.

    def on_jobs_table_progress(self, message: JobsTable.Progress) -> None:
        self.progress = message
        if message.done:
            self._retry_note = ""
        self.show_status_bar()

    def on_call_retrying(self, message: CallRetrying) -> None:
        operation = clean(message.operation, max_len=40)
        self._retry_note = f"⟳ retrying {operation} ({message.attempt}/{message.max_attempts})"
        self.show_status_bar()

    def show_status_bar(self) -> None:
        """Counts, sort and filters; while a prompt is open, what it asks."""
        focused = self.focused.id if self.focused is not None else None
        prompt = PROMPTS.get(focused or "")
        table, progress = self.table, self.progress
        if prompt is not None:
            text = Text(prompt, style="bold")
            if focused == "jobs-filter" and table.text_filter and progress.loaded:
                # While typing, how many rows the filter keeps: an empty table says why.
                if progress.shown:
                    text.append(f" · {progress.shown:,} of {progress.loaded:,} match", style="dim")
                else:
                    text.append(" · no job matches", style="bold yellow")
            self.query_one("#jobs-status-bar", Static).update(text)
            return
        text = Text()
        if progress.shown != progress.loaded or not progress.done:
            text.append(f"{progress.shown:,} shown · ")
        text.append(loaded_summary(progress), style="bold" if progress.done else "italic")
        text.append(f" · sorted by {table.sort_description}", style="dim")
        if table.text_filter:
            text.append(" · filter ")
            text.append(f'"{clean(table.text_filter, max_len=40)}"', style="bold cyan")
        if table.status_filter != "All":
            text.append(" · status ")
            text.append(table.status_filter, style="bold cyan")
        if self._retry_note:
            text.append(f"  {self._retry_note}", style="yellow")
        self.query_one("#jobs-status-bar", Static).update(text)

    def on_descendant_focus(self) -> None:
        self.call_after_refresh(self.show_status_bar)

    # Detail.

    def on_jobs_table_job_chosen(self, message: JobsTable.JobChosen) -> None:
        self.show_detail(message.job)

    def show_detail(self, job: HarvestJob) -> None:
        if self.backend is None:
            return
        self.detail.display = True
        self.detail.show_resource(self.scope.region, job, self.backend)

    def on_data_table_row_highlighted(self, event: JobsTable.RowHighlighted) -> None:
        """The open detail follows the cursor, as the tree's does."""
        job = self.table.cursor_job
        if self.detail.display and job is not None and self.backend is not None:
            self.detail.show_resource(self.scope.region, job, self.backend)

    def on_detail_pane_fetched(self, message: DetailPane.Fetched) -> None:
        if isinstance(message.resource, HarvestJob):
            self.history.observe(message.region, message.resource)
            self.table.update_job(message.resource)

    def action_hide_detail(self) -> None:
        self.detail.display = False
        self.table.focus()

    # Polling: the unfinished jobs listed, so that their rows follow their status.

    def _scope_backend(self, region: str) -> Backend | None:
        return self.backend if region == self.scope.region else None

    def watched_jobs(self) -> dict[WatchKey, HarvestJob]:
        region = self.scope.region
        return {(region, job.key): job for job in self.table.jobs.values() if not job.finished}

    def on_job_watcher_job_changed(self, message: JobWatcher.JobChanged) -> None:
        self.table.update_job(message.job)

    # Filters.

    def action_filter(self) -> None:
        box = self.query_one("#jobs-filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "jobs-filter":
            return
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE, self.apply_filter)

    def apply_filter(self) -> None:
        self._filter_timer = None
        self.table.set_filters(text=self.query_one("#jobs-filter", Input).value)
        self.show_status_bar()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "jobs-filter":
            if self._filter_timer is not None:
                self._filter_timer.stop()
            self.apply_filter()
            event.input.display = False  # the status bar shows the filter; / edits it
            self.table.focus()
        elif event.input.id == "jobs-export-path":
            self.export_to(event.value)

    def clear_filter(self) -> None:
        box = self.query_one("#jobs-filter", Input)
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        box.value = ""
        box.display = False
        self.table.set_filters(text="")
        self.table.focus()
        self.show_status_bar()

    def action_pick_status(self) -> None:
        picker = self.query_one("#jobs-status-picker", OptionList)
        picker.display = True
        picker.highlighted = list(STATUS_CHOICES).index(self.table.status_filter)
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.option_list.display = False
        if event.option.id is not None:
            self.table.set_filters(status=event.option.id)
        self.table.focus()
        self.show_status_bar()

    # Export.

    def export_refusal(self) -> str | None:
        """Why the rows shown are not the list to export, if they are not: a file written
        from a list that failed or is still loading would read as "these are all"."""
        table = self.table
        if table.error is not None:
            return (
                f"the list did not load ({clean(table.error.code, max_len=60)}): "
                "press r to load it again"
            )
        if table.reading or table.pending:
            return "the list is still loading: export once it is in"
        return None

    def export_note(self) -> str:
        """Said after a file is written: what it leaves out (the fleet's unloaded targets)."""
        return ""

    def action_export(self) -> None:
        refusal = self.export_refusal()
        if refusal is not None:
            self.notify(f"Not exported: {refusal}", severity="warning", markup=False)
            return
        box = self.query_one("#jobs-export-path", Input)
        box.value = default_filename(self.scope.group, self.clock())
        box.display = True
        box.focus()
        box.cursor_position = len(box.value)

    def export_to(self, value: str) -> None:
        """Write the rows as shown (filters and sort applied), off the UI thread."""
        if not value.strip():
            self.notify("Give a file name ending in .csv or .jsonl", severity="warning")
            return
        path = Path(value.strip()).expanduser()
        fmt = format_of(path)
        if fmt is None:
            self.notify(
                f"{clean(path.name)}: the name must end in .csv or .jsonl",
                severity="warning",
                markup=False,
            )
            return
        self.query_one("#jobs-export-path", Input).display = False
        self.table.focus()
        self.write_export(path, self.table.shown_jobs, fmt, replace=False)

    def write_export(
        self, path: Path, jobs: list[HarvestJob], fmt: ExportFormat, *, replace: bool
    ) -> None:
        """Write `jobs` to `path` in a thread worker; an existing file only if `replace`."""
        self.run_worker(
            lambda: self._write(path, jobs, fmt, replace=replace),
            name="jobs-export",
            group="jobs-export",
            thread=True,
            exit_on_error=False,
        )

    def _write(
        self, path: Path, jobs: list[HarvestJob], fmt: ExportFormat, *, replace: bool
    ) -> None:
        """In a thread worker: serialise and write atomically, user-only, into a directory
        that exists (a typo must not leave new directories behind). An existing file is
        not replaced unless `replace`: the user is asked first."""
        try:
            if not replace:
                check_target(path)  # a symlink, a device…: refused, not asked about
                if os.path.lexists(path):
                    self.post_message(self._ExportWouldReplace(path.absolute(), jobs, fmt))
                    return
            written = write_private_file(path, export_text(jobs, fmt), make_parents=False)
        except OSError as error:  # UnsafeFileError, MissingDirectoryError are ones
            self.post_message(self._Exported(path, len(jobs), error))
            return
        self.post_message(self._Exported(written.absolute(), len(jobs), None))

    def _on_jobs_screen__export_would_replace(self, message: _ExportWouldReplace) -> None:
        from harvest_tui.ui.screens.confirm_screen import ConfirmScreen

        shown = clean(str(message.path), max_len=200)
        rows = len(message.jobs)
        question = Text("Replace ", style="bold")
        question.append(shown, style="bold yellow")
        question.append("?\n\nThe file exists. Yes replaces what it holds with the ")
        question.append(f"{rows:,} {'job' if rows == 1 else 'jobs'} shown; no leaves it as it is.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.write_export(message.path, message.jobs, message.fmt, replace=True)
            else:
                self.notify(f"Not exported: {shown} left as it was, nothing written", markup=False)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _on_jobs_screen__exported(self, message: _Exported) -> None:
        if message.error is not None:
            self.notify(
                f"Not exported: {clean(str(message.error), max_len=200)}",
                severity="error",
                markup=False,
            )
            return
        noun = "job" if message.rows == 1 else "jobs"
        note = self.export_note()
        self.notify(
            f"Exported {message.rows:,} {noun} to {clean(str(message.path), max_len=200)}" + note,
            severity="warning" if note else "information",
            markup=False,
        )

    # Leaving.

    def action_reload(self) -> None:
        self.table.load()

    def action_back(self) -> None:
        """Esc: close the innermost thing open; with nothing open, back to the tree."""
        focused = self.focused
        if focused is not None and focused.id == "jobs-filter":
            self.clear_filter()
        elif focused is not None and focused.id in ("jobs-status-picker", "jobs-export-path"):
            focused.display = False
            self.table.focus()
        elif self.detail.display:
            self.action_hide_detail()
        else:
            self.dismiss(None)
