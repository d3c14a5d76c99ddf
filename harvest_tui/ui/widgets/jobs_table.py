"""JobsTable: every harvest job of a channel group, channel or endpoint, in one table.

It owns its loading: one ListHarvestJobs page chain (the channel and endpoint filters
where they apply), read in a thread worker through `Backend.iter_harvest_job_pages`
and posted back a page at a time; through the service worker the pages arrive as one.
Each page is added as a batch of rows, and the rows are only reordered (never
rebuilt) when a page sorts among them. A new filter rebuilds the rows once; a new
sort reorders them. It posts upward what the screen shows: `Progress` (counts and
state) and `JobChosen` (Enter or →).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey
from textual.worker import get_current_worker

from harvest_tui.backend import Backend
from harvest_tui.errors import ServiceError, translate
from harvest_tui.models import Channel, ChannelGroup, HarvestJob, OriginEndpoint, Resource
from harvest_tui.safe_text import ELLIPSIS, clean
from harvest_tui.statuses import STATUS_GLYPH, STATUS_STYLE, UNKNOWN_GLYPH, UNKNOWN_STYLE
from harvest_tui.timefmt import format_age, format_duration, format_instant
from harvest_tui.ui.calls import CallRetrying
from harvest_tui.ui.textual_private import columns_resized
from harvest_tui.ui.widgets.tree_rows import middle_cut
from harvest_tui.ui.widgets.wrapping import drawn_alike

JobKey = tuple[str, str, str, str]

# The status filter's choices: a label and the statuses it keeps (None: all).
STATUS_CHOICES: dict[str, frozenset[str] | None] = {
    "All": None,
    "Active": frozenset({"QUEUED", "IN_PROGRESS"}),
    "QUEUED": frozenset({"QUEUED"}),
    "IN_PROGRESS": frozenset({"IN_PROGRESS"}),
    "COMPLETED": frozenset({"COMPLETED"}),
    "FAILED": frozenset({"FAILED"}),
    "CANCELLED": frozenset({"CANCELLED"}),
}
_STATUS_ORDER = {status: i for i, status in enumerate(STATUS_GLYPH)}


@dataclass(frozen=True)
class JobsScope:
    """Where the jobs come from: a region's channel group, maybe one channel or endpoint."""

    region: str
    group: str
    channel: str | None = None
    endpoint: str | None = None

    @property
    def label(self) -> str:
        """ "group / channel / endpoint", cleaned: it is remote text."""
        parts = (self.group, self.channel, self.endpoint)
        return " / ".join(clean(p, max_len=60) for p in parts if p is not None)


def jobs_scope(region: str, resource: Resource | None) -> JobsScope | None:
    """The scope of a tree node's resource; None for a job (or nothing)."""
    if isinstance(resource, ChannelGroup):
        return JobsScope(region, resource.name)
    if isinstance(resource, Channel):
        return JobsScope(region, resource.group_name, resource.name)
    if isinstance(resource, OriginEndpoint):
        return JobsScope(region, resource.group_name, resource.channel_name, resource.name)
    return None


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort_key: Callable[[HarvestJob], Any]


COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", lambda j: _STATUS_ORDER.get(str(j.status), len(_STATUS_ORDER))),
    Column("job", "Job", lambda j: j.name),
    Column("channel", "Channel", lambda j: j.channel_name),
    Column("endpoint", "Endpoint", lambda j: j.endpoint_name),
    Column("start", "Window start", lambda j: j.schedule.start),
    Column("end", "Window end", lambda j: j.schedule.end),
    Column("duration", "Duration", lambda j: j.schedule.duration),
    Column("created", "Created", lambda j: j.created_at),
    Column("modified", "Modified", lambda j: j.modified_at),
)
TIME_COLUMNS = frozenset({"start", "end", "duration", "created", "modified"})  # newest first
DEFAULT_SORT = 7  # CreatedAt,
DEFAULT_REVERSE = True  # newest first
ROWS_PER_FRAME = 1000  # rows added between two frames: each frame repaints the visible rows
MIN_JOB_CELLS = 20  # the job column narrows to fit the screen, never below this


class Cell:
    """A cell: cleaned one-line Text, drawn as it is; the job-name cell carries its job,
    so DataTable.sort orders rows by any field of the job without a rebuild.

    It has no `__rich_measure__`, so DataTable does not measure it (a ConsoleOptions per
    cell: seconds over 10,000 rows of 9 cells); the table sizes its columns itself, from
    the widths it knows (`JobsTable.widths`).
    """

    __slots__ = ("job", "text")

    def __init__(self, text: Text, job: HarvestJob | None = None) -> None:
        text.no_wrap = True
        text.overflow = "ellipsis"
        self.text = text
        self.job = job

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # A job name wider than its column (narrowed to fit the screen: JobsTable.fit) is
        # cut in the middle, as the tree cuts it, so that its date suffix stays readable.
        text = self.text
        yield (
            middle_cut(text, options.max_width, ELLIPSIS)
            if text.cell_len > options.max_width
            else text
        )

    def shows_as(self, other: Cell) -> bool:
        """Drawn the same as `other`."""
        return drawn_alike(self.text, other.text)


def job_cells(job: HarvestJob, now: datetime, tz: tzinfo) -> list[Cell]:
    """One row: every remote string cleaned, never parsed as markup."""
    status = clean(str(job.status), max_len=20)
    style = STATUS_STYLE.get(status, UNKNOWN_STYLE)
    return [
        Cell(Text(f"{STATUS_GLYPH.get(status, UNKNOWN_GLYPH)} {status}", style=style)),
        Cell(Text(clean(job.name, max_len=80)), job),
        Cell(Text(clean(job.channel_name, max_len=60))),
        Cell(Text(clean(job.endpoint_name, max_len=60))),
        Cell(Text(format_instant(job.schedule.start, tz))),
        Cell(Text(format_instant(job.schedule.end, tz))),
        Cell(Text(format_duration(job.schedule.duration))),
        Cell(Text(format_age(job.created_at, now, happened=True))),
        Cell(Text(format_age(job.modified_at, now, happened=True), style="dim")),
    ]


def row_key_of(key: tuple[str, ...]) -> str:
    return "\x00".join(key)  # names hold no NUL: one key per job


class JobsTable(DataTable[Cell]):
    """The jobs of a scope: loaded page by page, sorted, filtered, chosen.

    A subclass may show other columns (`COLUMNS`, `make_cells`), tell jobs apart by
    more than their names (`key_of`) and load otherwise (`load`): the fleet view does.
    """

    COLUMNS: ClassVar[tuple[Column, ...]] = COLUMNS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,right,l", "choose", "Detail", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("shift+right", "scroll_right", "Scroll right", show=False),
        Binding("shift+left", "scroll_left", "Scroll left", show=False),
        *(
            Binding(str(i + 1), f"sort({i})", f"Sort by {c.title.lower()}", show=False)
            for i, c in enumerate(COLUMNS)
        ),
        Binding("o", "sort_next", "Sort", tooltip="Sort by the next column"),
    ]

    @dataclass
    class Progress(Message):
        """What the table holds now: for the screen's status bar."""

        loaded: int
        shown: int
        done: bool
        error: ServiceError | None

    @dataclass
    class JobChosen(Message):
        """Enter or → on a row: show this job's detail."""

        region: str
        job: HarvestJob

    @dataclass
    class _Page(Message):
        generation: int
        jobs: list[HarvestJob]
        bubble: ClassVar[bool] = False

    @dataclass
    class _Finished(Message):
        generation: int
        error: ServiceError | None
        bubble: ClassVar[bool] = False

    def __init__(
        self,
        scope: JobsScope,
        backend: Backend | None,
        *,
        clock: Callable[[], datetime],
        tz: tzinfo,
        id: str | None = None,
    ) -> None:
        super().__init__(
            id=id,
            cursor_type="row",
            zebra_stripes=True,
            fixed_columns=2,
            cursor_foreground_priority="renderable",
        )
        self.scope = scope
        self.backend = backend
        self.clock = clock
        self.tz = tz
        self.jobs: dict[tuple[str, ...], HarvestJob] = {}  # every job loaded, by key
        self.sort_column = self.COLUMNS.index(COLUMNS[DEFAULT_SORT])
        self.sort_reverse = DEFAULT_REVERSE
        self.text_filter = ""
        self.status_filter = "All"
        self.reading = False
        self.error: ServiceError | None = None
        self._generation = 0
        self._fresh = False  # a load has begun and its first page has not arrived
        self._cells: dict[tuple[str, ...], list[Cell]] = {}  # once per job, reused by rebuilds
        self.widths = [len(c.title) + 2 for c in self.COLUMNS]  # each column's widest cell
        self.pending: list[HarvestJob] = []  # matching jobs not yet added, in sort order
        self._draining = False

    def on_mount(self) -> None:
        for column in self.COLUMNS:
            self.add_column(column.title, key=column.key, width=len(column.title) + 2)
        self.show_sort()
        self.load()

    # Loading.

    def load(self) -> None:
        """Read the scope's jobs afresh (the rows already shown stay until the first page)."""
        self._generation += 1
        self.reading = True
        self.error = None
        self._fresh = True
        self.run_worker(
            self._read_pages,
            name="jobs-table",
            group="jobs-table",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        self.post_progress()

    def _read_pages(self) -> None:
        """In a thread worker: the page chain, each page posted back as it arrives."""
        worker = get_current_worker()
        generation, scope, backend = self._generation, self.scope, self.backend
        if backend is None:
            return

        def report(operation: str, attempt: int, max_attempts: int) -> None:
            self.post_message(CallRetrying(operation, attempt, max_attempts))

        error: ServiceError | None = None
        try:
            with backend.retries_reported_to(report):
                pages = backend.iter_harvest_job_pages(
                    scope.group, channel=scope.channel, endpoint=scope.endpoint
                )
                for page in pages:
                    if worker.is_cancelled:
                        return
                    self.post_message(self._Page(generation, list(page)))
        except ServiceError as exc:
            error = exc
        except Exception as exc:  # anything else still becomes a readable error
            error = translate(exc, profile=backend.profile, region=backend.region)
        if not worker.is_cancelled:
            self.post_message(self._Finished(generation, error))

    def _on_jobs_table__page(self, message: _Page) -> None:
        if message.generation != self._generation:
            return
        if self._fresh:  # a reload: its first page replaces what was shown
            self.forget_rows()
        new = []
        for job in message.jobs:
            if self.key_of(job) not in self.jobs:
                new.append(job)
            self.jobs[self.key_of(job)] = job
        self.add_jobs(new)
        self.post_progress()

    def _on_jobs_table__finished(self, message: _Finished) -> None:
        if message.generation != self._generation:
            return
        self.reading = False
        self.error = message.error
        if self._fresh and message.error is None:  # an empty scope
            self.forget_rows()
        self.post_progress()
        if message.error is not None:
            self.notify(
                f"Could not list the jobs of {self.scope.label}: {clean(message.error.title)}",
                severity="error",
                markup=False,
            )

    # Rows.

    def matches(self, job: HarvestJob) -> bool:
        statuses = STATUS_CHOICES.get(self.status_filter)
        if statuses is not None and str(job.status) not in statuses:
            return False
        needle = self.text_filter.casefold()
        if not needle:
            return True
        return any(needle in name.casefold() for name in self.searched(job))

    def searched(self, job: HarvestJob) -> tuple[str, ...]:
        """The names the text filter looks in."""
        return (job.name, job.channel_name, job.endpoint_name)

    def key_of(self, job: HarvestJob) -> tuple[str, ...]:
        """What tells one row from another: the job's names here."""
        return job.key

    def make_cells(self, job: HarvestJob) -> list[Cell]:
        return job_cells(job, self.clock(), self.tz)

    def sort_key(self, job: HarvestJob) -> tuple[Any, tuple[str, ...]]:
        return (self.COLUMNS[self.sort_column].sort_key(job), self.key_of(job))

    def forget_rows(self) -> None:
        self._fresh = False
        self.jobs = {}
        self._cells = {}
        self.pending = []
        self.clear()

    def add_jobs(self, jobs: Iterable[HarvestJob]) -> None:
        """Queue the jobs that pass the filters, in sort order; they are added as rows
        ROWS_PER_FRAME at a time, so 10,000 jobs arriving at once never freeze a key."""
        batch = [j for j in jobs if self.matches(j)]
        if batch:
            self.pending = sorted(
                [*self.pending, *batch], key=self.sort_key, reverse=self.sort_reverse
            )
            self._drain_soon()

    def _drain_soon(self) -> None:
        if self.pending and not self._draining:
            self._draining = True
            self.call_later(self._drain)

    def _drain(self) -> None:
        """The one chain that adds the queue, a frame apart."""
        self._add_chunk()
        if self.pending:
            self.call_after_refresh(self._drain)
        else:
            self._draining = False

    def _add_chunk(self) -> None:
        """Add the next rows of the queue; reorder only if they sort among those shown."""
        chunk, self.pending = self.pending[:ROWS_PER_FRAME], self.pending[ROWS_PER_FRAME:]
        if chunk:
            last = self.last_shown()
            first = self.sort_key(chunk[0])
            in_order = last is None or (
                first <= self.sort_key(last) if self.sort_reverse else first >= self.sort_key(last)
            )
            widths = self.widths
            for job in chunk:
                cells = self.cells_of(job)
                widths = [max(w, cell.text.cell_len) for w, cell in zip(widths, cells, strict=True)]
                self.add_row(*cells, key=row_key_of(self.key_of(job)))
            self.fit_columns(widths)
            if not in_order:
                self.reorder()
        self.post_progress()

    def cells_of(self, job: HarvestJob) -> list[Cell]:
        key = self.key_of(job)
        cells = self._cells.get(key)
        if cells is None or cells[1].job is not job:
            cells = self._cells[key] = self.make_cells(job)
        return cells

    def last_in_view(self) -> str:
        """The column the job column narrows to keep on screen, with those before it: a
        group's jobs keep their channel in view; in a channel or an endpoint, a job's whole
        name matters more than columns that say the same on most rows."""
        return "channel" if self.scope.channel is None else "job"

    def fit_columns(self, widths: list[int]) -> None:
        """Columns as wide as their widest cell (DataTable does not measure ours), but for
        the job column, which narrows to keep the columns up to `last_in_view` on screen,
        or where they cannot fit, to keep itself on screen (MIN_JOB_CELLS at least)."""
        self.widths = widths
        keys = [c.key for c in self.COLUMNS]
        room = self.scrollable_content_region.width
        padding = 2 * self.cell_padding
        needed = sum(w + padding for w in widths[: keys.index(self.last_in_view()) + 1])
        fitted = list(widths)
        job = keys.index("job")
        if room > 0 and needed > room:
            narrowed = widths[job] - (needed - room)
            if narrowed < MIN_JOB_CELLS:
                # They cannot all fit (a narrow pane beside the detail): the columns after
                # the job's scroll, and its name is cut in its middle, not by the edge.
                beside = sum(w + padding for i, w in enumerate(widths[:job]))
                narrowed = max(MIN_JOB_CELLS, min(widths[job], room - beside - padding))
            fitted[job] = narrowed
        changed = False
        for key, width in zip(keys, fitted, strict=True):
            column = self.columns[ColumnKey(key)]
            changed = changed or column.width != width
            column.width = width
        if changed:
            columns_resized(self)

    def on_resize(self) -> None:
        self.fit_columns(self.widths)

    def column_starts(self) -> list[int]:
        """Where each column after the fixed ones starts, as horizontal scroll offsets (the
        fixed ones, status and job, stay put)."""
        starts, x = [], 0
        for column in self.ordered_columns[self.fixed_columns :]:
            starts.append(x)
            x += column.get_render_width(self)
        return starts

    def action_scroll_right(self) -> None:
        """shift+→: the next column's start to the left edge (Widget's moves one cell)."""
        ahead = [x for x in self.column_starts() if x > self.scroll_x]
        if ahead:
            self.scroll_to(x=min(ahead[0], self.max_scroll_x), animate=False)

    def action_scroll_left(self) -> None:
        behind = [x for x in self.column_starts() if x < self.scroll_x]
        if behind:
            self.scroll_to(x=behind[-1], animate=False)

    def last_shown(self) -> HarvestJob | None:
        if not self.row_count:
            return None
        return self.job_at_row(self.row_count - 1)

    def job_at_row(self, row: int) -> HarvestJob | None:
        if not self.is_valid_row_index(row):
            return None
        cell = self.get_cell_at(Coordinate(row, 1))
        return cell.job if isinstance(cell, Cell) else None

    @property
    def cursor_job(self) -> HarvestJob | None:
        return self.job_at_row(self.cursor_row)

    @property
    def shown_jobs(self) -> list[HarvestJob]:
        """The rows as shown: after the filters, in the table's order."""
        out = []
        for row in self.ordered_rows:
            cell = self.get_cell(row.key, "job")
            if isinstance(cell, Cell) and cell.job is not None:
                out.append(cell.job)
        return out

    def reorder(self) -> None:
        """Sort the rows in place, keeping the cursor on its job (or at the top)."""
        followed = self.cursor_job if self.cursor_row > 0 else None
        self.sort(
            "job",
            key=lambda cell: self.sort_key(cell.job),
            reverse=self.sort_reverse,
        )
        if followed is not None:
            self.move_cursor(row=self.get_row_index(row_key_of(self.key_of(followed))))

    def rebuild(self) -> None:
        """Every row again, from the loaded jobs: once per filter change."""
        followed = self.cursor_job
        self.clear()
        self.fit_columns([len(c.title) + 2 for c in self.COLUMNS])
        matching = (j for j in self.jobs.values() if self.matches(j))
        self.pending = sorted(matching, key=self.sort_key, reverse=self.sort_reverse)
        self._add_chunk()  # the first rows now, so the cursor can stay on its job
        self._drain_soon()
        followed_key = row_key_of(self.key_of(followed)) if followed is not None else None
        if followed_key is not None and followed_key in self.rows:
            self.move_cursor(row=self.get_row_index(followed_key), animate=False)
        else:
            self.move_cursor(row=0)
        self.post_progress()

    def set_filters(self, *, text: str | None = None, status: str | None = None) -> None:
        changed = False
        if text is not None and text != self.text_filter:
            self.text_filter, changed = text, True
        if status is not None and status != self.status_filter and status in STATUS_CHOICES:
            self.status_filter, changed = status, True
        if changed:
            self.rebuild()

    def update_job(self, job: HarvestJob) -> None:
        """A fresh state of a job (its Get): its row shows it, if the row is shown."""
        if self.key_of(job) not in self.jobs:
            return
        self.jobs[self.key_of(job)] = job
        key = row_key_of(self.key_of(job))
        if key not in self.rows:
            return
        cells = self.cells_of(job)
        for column, cell in zip(self.COLUMNS, cells, strict=True):
            shown = self.get_cell(key, column.key)
            if isinstance(shown, Cell) and shown.shows_as(cell):
                # Unchanged (most polls): no update_cell, which redraws every row. The
                # job-name cell still takes the fresh job, that sorting reads.
                shown.job = cell.job
            else:
                self.update_cell(key, column.key, cell)
        self.fit_columns(
            [max(w, cell.text.cell_len) for w, cell in zip(self.widths, cells, strict=True)]
        )

    # Sorting.

    def action_sort(self, column: int) -> None:
        """Sort by `column`; the same column again reverses the order."""
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column = column
            self.sort_reverse = self.COLUMNS[column].key in TIME_COLUMNS
        self.show_sort()
        if self.pending:  # rows still to come: queue them all again in the new order
            self.rebuild()
        else:
            self.reorder()
        self.post_progress()

    def action_sort_next(self) -> None:
        self.action_sort((self.sort_column + 1) % len(self.COLUMNS))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.action_sort(event.column_index)

    def show_sort(self) -> None:
        """The sorted column's title carries an arrow."""
        for i, column in enumerate(self.COLUMNS):
            title = column.title
            if i == self.sort_column:
                title += " ▼" if self.sort_reverse else " ▲"
            self.columns[ColumnKey(column.key)].label = Text(title)
        self.refresh()

    @property
    def sort_description(self) -> str:
        return f"{self.COLUMNS[self.sort_column].title.lower()} {'▼' if self.sort_reverse else '▲'}"

    # Choosing.

    def action_choose(self) -> None:
        job = self.cursor_job
        if job is not None:
            chosen = self.jobs.get(self.key_of(job), job)
            self.post_message(self.JobChosen(self.scope.region, chosen))

    def post_progress(self) -> None:
        self.post_message(
            self.Progress(
                len(self.jobs), self.row_count, not self.reading and not self.pending, self.error
            )
        )

    def set_tz(self, tz: tzinfo) -> None:
        self.tz = tz
        self._cells = {}
        self.rebuild()


def loaded_summary(progress: JobsTable.Progress) -> str:
    """ "1,200 loaded…" while pages arrive, "10,000 jobs" once the last has."""
    if not progress.done:
        return f"{progress.loaded:,} loaded…"
    if progress.error is not None and progress.loaded == 0:
        return f"not loaded: {clean(progress.error.title, max_len=80)} (r to retry)"
    noun = "job" if progress.loaded == 1 else "jobs"
    text = f"{progress.loaded:,} {noun}"
    if progress.error is not None:
        text += f" (incomplete: {clean(progress.error.title, max_len=60)}; r to retry)"
    return text


__all__ = [
    "COLUMNS",
    "STATUS_CHOICES",
    "JobsScope",
    "JobsTable",
    "jobs_scope",
    "loaded_summary",
]
