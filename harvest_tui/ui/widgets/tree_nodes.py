"""What a tree node stands for (NodeData), and its label.

Labels are built from sanitized plain strings (remote text is never markup), and
cheaply: a job's label is built for each of thousands of jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Literal

from rich.text import Span, Text

from harvest_tui.errors import ServiceError
from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestJob,
    JobCounts,
    JobStatus,
    OriginEndpoint,
    Resource,
)
from harvest_tui.safe_text import clean
from harvest_tui.statuses import (
    FAILED_MARK_STYLE,
    KIND_GLYPH,
    MARK,
    STATUS_GLYPH,
    STATUS_STYLE,
    UNKNOWN_GLYPH,
    UNKNOWN_STYLE,
)
from harvest_tui.timefmt import in_tz

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

NodeKind = Literal["region", "group", "channel", "endpoint", "job", "loading", "error", "empty"]
PLACEHOLDERS = ("loading", "error", "empty")  # kinds that stand for no resource
COUNT_ORDER = (
    JobStatus.QUEUED,
    JobStatus.IN_PROGRESS,
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
)


@dataclass(slots=True)
class NodeData:
    """What a tree node stands for, and the state of its children."""

    kind: NodeKind | Literal["root"]
    region: str
    resource: Resource | None = None
    error: ServiceError | None = None
    loaded: bool = False
    loading: bool = False
    counts: JobCounts | None = None  # endpoints: jobs per status, once known
    note: str = ""  # an "empty" placeholder's words
    column_at: int = 0  # where the label's right-hand column starts (0: it has none)
    stale: ServiceError | None = None  # the last refresh failed: the children are older
    stale_since: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # Kept by ResourceTree so that its queries need not visit every job node:
    by_name: dict[str, TreeNode[NodeData]] | None = field(
        default=None, repr=False, compare=False
    )  # children by name (rebuilt when found stale)
    unfinished: list[TreeNode[NodeData]] | None = field(
        default=None, repr=False, compare=False
    )  # endpoints: the job children whose job has not finished

    @property
    def name(self) -> str:
        if self.kind == "region":
            return self.region
        return getattr(self.resource, "name", "")


def window_text(job: HarvestJob, tz: tzinfo) -> str:
    """The harvest window, compact: '11-02 10:00–12:00' or across days."""
    start = in_tz(job.schedule.start, tz)
    end = in_tz(job.schedule.end, tz)
    dash = MARK["range"]
    # Formatted field by field: strftime twice per job was a third of a job label's cost.
    head = f"{start.month:02d}-{start.day:02d} {start.hour:02d}:{start.minute:02d}"
    if (start.year, start.month, start.day) == (end.year, end.month, end.day):
        return f"{head}{dash}{end.hour:02d}:{end.minute:02d}"
    return f"{head}{dash}{end.month:02d}-{end.day:02d} {end.hour:02d}:{end.minute:02d}"


def counts_text(counts: JobCounts) -> Text:
    text = Text()
    for status in COUNT_ORDER:
        n = counts.counts.get(status.value, 0)
        if n:
            if text:
                text.append(" ")
            failed = status is JobStatus.FAILED  # reversed: seen at a glance, colour or not
            style = FAILED_MARK_STYLE if failed else STATUS_STYLE[status.value]
            text.append(f"{STATUS_GLYPH[status.value]}{n}", style=style)
    if not counts.total:
        text.append("no jobs", style="dim")
    return text


@dataclass(frozen=True, slots=True)
class Summary:
    """What a channel group or channel row adds after its name (ResourceTree keeps it in
    `extra["summary"]`): the status counts rolled up from the loaded jobs below, and for a
    group its queued + in-progress jobs against the quota."""

    counts: JobCounts | None = None  # the loaded jobs below, per status
    unopened: int = 0  # channels below whose jobs are not loaded (not in `counts`)
    active: int | None = None  # groups: queued + in-progress jobs, once listed
    quota: int = 0
    age: str = ""  # how old `active` (and so the counts) may be, when not fresh


def summary_text(data: NodeData) -> Text:
    """A group's or channel's roll-up: ` ▶1 ✔12 ✖3  active 1/10`, and its age if stale."""
    summary = data.extra.get("summary")
    text = Text()
    if not isinstance(summary, Summary):
        return text
    if summary.counts is not None and (summary.counts.total or not summary.unopened):
        text.append_text(counts_text(summary.counts))
    if summary.unopened:
        text.append(f" +{summary.unopened} unopened", style="dim")
    if summary.active is not None and summary.quota:
        full = summary.active >= summary.quota
        meter = f"  active {summary.active}/{summary.quota}"
        text.append(meter, style="bold red" if full else "dim" if not summary.active else "")
    if summary.age:
        text.append(f" ({summary.age} ago)", style="yellow")
    return text


# The right-hand column of a row, one function per kind: the tree lays it out
# right-aligned at the pane's edge, after the name (tree_rows.fit_row).


def group_column(data: NodeData, tz: tzinfo) -> Text | None:
    """Roll-up counts, the quota meter and their age (summary_text)."""
    text = summary_text(data)
    return text if text.plain.strip() else None


channel_column = group_column  # a channel's roll-up, the same way


def endpoint_column(data: NodeData, tz: tzinfo) -> Text | None:
    return counts_text(data.counts) if data.counts is not None else None


def job_column(job: HarvestJob, tz: tzinfo) -> str:
    """A job's column is plain (dim): its label is built in one piece (see _job_label)."""
    return window_text(job, tz)


COLUMNS: dict[str, Callable[[NodeData, tzinfo], Text | None]] = {
    "group": group_column,
    "channel": channel_column,
    "endpoint": endpoint_column,
}


def node_label(data: NodeData, tz: tzinfo) -> Text:
    """A node's label, built from sanitized plain strings: remote text is never markup.

    The label is the row's head (glyph and name), then, from `data.column_at` on, its
    right-hand column; the tree lays the two out to the pane's width when it draws a row.
    """
    data.column_at = 0
    if data.kind == "loading":
        return Text(f"Loading{MARK['cut']}", style="dim italic")
    if data.kind == "error" and data.error is not None:
        e = data.error
        label = Text(f"{MARK['error']} {clean(e.title)}: ", style="bold red")
        label.append(clean(e.message, max_len=160), style="red")
        if e.hint:  # what to do; the detail pane adds request id, profile and region
            label.append(f"  {MARK['hint']} {clean(e.hint, max_len=160)}", style="yellow")
        label.append("  (r to retry)", style="dim")
        return label
    if data.kind == "empty":
        return Text(data.note, style="dim italic")
    r = data.resource
    if isinstance(r, HarvestJob) and data.stale is None:
        return _job_label(data, r, tz)
    label = _resource_label(data)
    if data.stale is not None:
        since = in_tz(data.stale_since, tz).strftime("%H:%M:%S") if data.stale_since else "?"
        label.append(
            f"  {MARK['stale']} stale since {since}: {clean(data.stale.title)} (r to retry)",
            style="yellow",
        )
    column = COLUMNS.get(data.kind)
    right = column(data, tz) if column is not None else None
    if right:
        data.column_at = len(label.plain) + 1
        label.append(" ")
        label.append_text(right)
    return label


def _job_label(data: NodeData, job: HarvestJob, tz: tzinfo) -> Text:
    """In one piece (a job label is built for each of thousands of jobs): the status
    style over all of it, the column dim, a FAILED job's glyph reversed."""
    status = str(job.status)
    head = f"{STATUS_GLYPH.get(status, UNKNOWN_GLYPH)} {clean(job.name)}"
    plain = f"{head} {job_column(job, tz)}"
    data.column_at = len(head) + 1
    spans = [Span(len(head), len(plain), "dim")]
    if status == "FAILED":
        spans.append(Span(0, 1, FAILED_MARK_STYLE))
    return Text(plain, style=STATUS_STYLE.get(status, UNKNOWN_STYLE), spans=spans)


def _resource_label(data: NodeData) -> Text:
    r = data.resource
    if data.kind == "region":
        return Text(f"{KIND_GLYPH['region']} {clean(data.region)}", style="bold")
    if isinstance(r, ChannelGroup):
        return Text(f"{KIND_GLYPH['group']} {clean(r.name)}", style="bold")
    if isinstance(r, Channel):
        label = Text(f"{KIND_GLYPH['channel']} {clean(r.name)}")
        if r.input_type:
            label.append(f" {clean(r.input_type)}", style="dim")
        return label
    if isinstance(r, OriginEndpoint):
        label = Text(f"{KIND_GLYPH['endpoint']} {clean(r.name)}")
        label.append(f" {clean(r.container_type)}", style="dim")
        return label
    if isinstance(r, HarvestJob):
        status = str(r.status)
        glyph = STATUS_GLYPH.get(status, UNKNOWN_GLYPH)
        return Text(f"{glyph} {clean(r.name)}", style=STATUS_STYLE.get(status, UNKNOWN_STYLE))
    return Text(clean(data.name))


def same_text(a: Text, b: Text) -> bool:
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans
