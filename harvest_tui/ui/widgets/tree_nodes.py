"""What a tree node stands for (NodeData), and its label.

Labels are built from sanitized plain strings (remote text is never markup), and
cheaply: a job's label is built for each of thousands of jobs.
"""

from __future__ import annotations

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
from harvest_tui.statuses import STATUS_GLYPH, STATUS_STYLE
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
    # Formatted field by field: strftime twice per job was a third of a job label's cost.
    head = f"{start.month:02d}-{start.day:02d} {start.hour:02d}:{start.minute:02d}"
    if (start.year, start.month, start.day) == (end.year, end.month, end.day):
        return f"{head}–{end.hour:02d}:{end.minute:02d}"
    return f"{head}–{end.month:02d}-{end.day:02d} {end.hour:02d}:{end.minute:02d}"


def counts_text(counts: JobCounts) -> Text:
    text = Text()
    for status in COUNT_ORDER:
        n = counts.counts.get(status.value, 0)
        if n:
            text.append(f" {STATUS_GLYPH[status.value]}{n}", style=STATUS_STYLE[status.value])
    if not counts.total:
        text.append(" no jobs", style="dim")
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


def node_label(data: NodeData, tz: tzinfo) -> Text:
    """A node's label, built from sanitized plain strings: remote text is never markup."""
    if data.kind == "loading":
        return Text("Loading…", style="dim italic")
    if data.kind == "error" and data.error is not None:
        e = data.error
        label = Text(f"✖ {clean(e.title)}: ", style="bold red")
        label.append(clean(e.message, max_len=160), style="red")
        if e.hint:  # what to do; the detail pane adds request id, profile and region
            label.append(f"  → {clean(e.hint, max_len=160)}", style="yellow")
        label.append("  (r to retry)", style="dim")
        return label
    if data.kind == "empty":
        return Text(data.note, style="dim italic")
    label = _resource_label(data, tz)
    if data.stale is not None:
        since = in_tz(data.stale_since, tz).strftime("%H:%M:%S") if data.stale_since else "?"
        label.append(
            f"  ⚠ stale since {since}: {clean(data.stale.title)} (r to retry)", style="yellow"
        )
    return label


def _resource_label(data: NodeData, tz: tzinfo) -> Text:
    r = data.resource
    if data.kind == "region":
        return Text(f"◎ {clean(data.region)}", style="bold")
    if isinstance(r, ChannelGroup):
        return Text.assemble(Text(f"▣ {clean(r.name)}", style="bold"), summary_text(data))
    if isinstance(r, Channel):
        label = Text(f"◇ {clean(r.name)}")
        if r.input_type:
            label.append(f" {clean(r.input_type)}", style="dim")
        return label.append_text(summary_text(data))
    if isinstance(r, OriginEndpoint):
        label = Text(f"⌁ {clean(r.name)}")
        label.append(f" {clean(r.container_type)}", style="dim")
        if data.counts is not None:
            label.append_text(counts_text(data.counts))
        return label
    if isinstance(r, HarvestJob):
        # In one piece (a job label is built for each of thousands of jobs): the status
        # style over all of it, the window dim.
        status = str(r.status)
        head = f"{STATUS_GLYPH.get(status, '?')} {clean(r.name)}"
        plain = f"{head} {window_text(r, tz)}"
        dim = Span(len(head), len(plain), "dim")
        return Text(plain, style=STATUS_STYLE.get(status, ""), spans=[dim])
    return Text(clean(data.name))


def same_text(a: Text, b: Text) -> bool:
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans
