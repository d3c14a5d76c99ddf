"""DetailPane: every field of the selected resource, readably, plus the job timeline.

It renders at once from list data; the app calls `show` again when the Get call
answers (tags, fresh status and ETag) and the pane says when that was.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from harvest_tui.errors import ServiceError
from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestJob,
    Observation,
    OriginEndpoint,
    Resource,
)
from harvest_tui.safe_text import clean
from harvest_tui.statuses import STATUS_GLYPH, STATUS_STYLE
from harvest_tui.timefmt import format_age, format_duration, format_instant
from harvest_tui.ui.widgets.status_timeline import StatusTimeline

KIND_NAMES = {
    ChannelGroup: "Channel group",
    Channel: "Channel",
    OriginEndpoint: "Origin endpoint",
    HarvestJob: "Harvest job",
}


class FieldTable:
    """Label/value rows for a Rich grid, where every value is sanitized plain text."""

    def __init__(self) -> None:
        self.grid = Table.grid(padding=(0, 1), expand=True)
        self.grid.add_column("label", style="bold", no_wrap=True, min_width=10)
        self.grid.add_column("value", ratio=1, overflow="fold")

    def row(self, label: str, value: object, style: str = "") -> None:
        if isinstance(value, Text):
            self.grid.add_row(label, value)
        else:
            self.grid.add_row(label, Text(clean(value), style=style))

    def text_row(self, label: str, value: str | None, *, multiline: bool = False) -> None:
        shown = clean(value, multiline=multiline) if value else "—"
        self.grid.add_row(label, Text(shown, style="" if value else "dim"))

    def section(self, title: str) -> None:
        self.grid.add_row(Text(title, style="bold underline"), "")


def instant(dt: datetime | None, now: datetime, tz: tzinfo) -> Text:
    if dt is None:
        return Text("—", style="dim")
    text = Text(format_instant(dt, tz))
    text.append(f"  ({format_age(dt, now)})", style="dim")
    return text


def status_text(status: str) -> Text:
    style = STATUS_STYLE.get(status, "")
    return Text(f"{STATUS_GLYPH.get(status, '?')} {clean(status)}", style=f"bold {style}")


def tags_rows(table: FieldTable, tags: object) -> None:
    if tags is None:
        table.row("Tags", Text("loading…", style="dim italic"))
        return
    assert isinstance(tags, dict) or hasattr(tags, "items")
    items = sorted(tags.items())  # type: ignore[union-attr]
    if not items:
        table.row("Tags", Text("none", style="dim"))
    for i, (key, value) in enumerate(items):
        text = Text()
        text.append(clean(key), style="cyan")
        text.append(" = ", style="dim")
        text.append(clean(value))
        table.row("Tags" if i == 0 else "", text)


def job_fields(job: HarvestJob, now: datetime, tz: tzinfo) -> Table:
    t = FieldTable()
    t.row("Status", status_text(str(job.status)))
    t.row("ARN", job.arn)
    t.row("Job", job.name)
    t.row("Group", job.group_name)
    t.row("Channel", job.channel_name)
    t.row("Endpoint", job.endpoint_name)
    t.text_row("Description", job.description, multiline=True)
    t.row("Destination", job.destination.uri)
    t.section("Manifests")
    for label, names in job.manifests.by_type():
        if names:
            t.row(f"  {label}", Text(", ".join(clean(n) for n in names)))
    if not job.manifests.count:
        t.row("", Text("none", style="dim"))
    t.section("Window")
    t.row("  Start", instant(job.schedule.start, now, tz))
    t.row("  End", instant(job.schedule.end, now, tz))
    t.row("  Duration", format_duration(job.schedule.duration))
    t.row("Created", instant(job.created_at, now, tz))
    t.row("Modified", instant(job.modified_at, now, tz))
    t.row("ETag", job.etag or "—")
    tags_rows(t, job.tags)
    return t.grid


def other_fields(resource: Resource, now: datetime, tz: tzinfo) -> Table:
    t = FieldTable()
    t.row("ARN", resource.arn)
    if isinstance(resource, ChannelGroup):
        t.row("Group", resource.name)
        t.row("Egress domain", resource.egress_domain or "—")
    if isinstance(resource, Channel):
        t.row("Group", resource.group_name)
        t.row("Channel", resource.name)
        t.row("Input type", resource.input_type or "—")
    if isinstance(resource, OriginEndpoint):
        t.row("Group", resource.group_name)
        t.row("Channel", resource.channel_name)
        t.row("Endpoint", resource.name)
        t.row("Container", resource.container_type)
        if resource.segment_duration_seconds:
            t.row("Segment", f"{resource.segment_duration_seconds} s")
        if resource.startover_window_seconds:
            t.row("Startover", format_duration_s(resource.startover_window_seconds))
        t.section("Manifests")
        for m in resource.manifests:
            line = Text(f"{m.kind:<7}", style="cyan")
            line.append(clean(m.name))
            if m.url:
                line.append(f"  {clean(m.url)}", style="dim")
            t.row("", line)
        if not resource.manifests:
            t.row("", Text("none", style="dim"))
    t.text_row("Description", resource.description, multiline=True)
    t.row("Created", instant(resource.created_at, now, tz))
    t.row("Modified", instant(resource.modified_at, now, tz))
    t.row("ETag", resource.etag or "—")
    tags_rows(t, resource.tags)
    return t.grid


def format_duration_s(seconds: int) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=seconds))


def error_panel(error: ServiceError) -> Text:
    text = Text()
    for label, value in error.details():
        text.append(f"{label}: ", style="bold")
        text.append(clean(value) + "\n")
    return text


class DetailPane(VerticalScroll):
    """The right-hand pane: title, error banner, fields, timeline, freshness."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-error")
        yield Static(id="detail-fields")
        yield StatusTimeline(id="detail-timeline")
        yield Static(id="detail-freshness")

    def on_mount(self) -> None:
        self.show_empty()

    def show_empty(self) -> None:
        self.query_one("#detail-title", Static).update(
            Text("Select a resource in the tree (↑↓ to move, → to expand, ? for help)", "dim")
        )
        for wid in ("#detail-error", "#detail-fields", "#detail-freshness"):
            self.query_one(wid, Static).update("")
        self.query_one("#detail-error").display = False
        self.query_one(StatusTimeline).clear()
        self.query_one(StatusTimeline).display = False

    def show(
        self,
        resource: Resource,
        *,
        now: datetime,
        tz: tzinfo,
        fetched_at: datetime | None,
        observations: Sequence[Observation] = (),
        error: ServiceError | None = None,
        loading: bool = False,
    ) -> None:
        title = Text(f"{KIND_NAMES[type(resource)]}  ", style="dim")
        title.append(clean(resource.name), style="bold")
        self.query_one("#detail-title", Static).update(title)

        banner = self.query_one("#detail-error", Static)
        banner_text: Text | None = None
        if error is not None:
            banner_text = self._error_banner(error)
        if isinstance(resource, HarvestJob) and resource.error_message:
            # A failed refresh must not hide why the job itself failed: show both.
            failed = Text("✖ The job failed\n", style="bold")
            failed.append(clean(resource.error_message, multiline=True))
            if banner_text is None:
                banner_text = failed
            else:
                banner_text.append("\n")
                banner_text.append_text(failed)
        banner.display = banner_text is not None
        banner.set_class(error is not None, "-load-error")
        banner.update(banner_text or "")

        if isinstance(resource, HarvestJob):
            fields = job_fields(resource, now, tz)
            timeline = self.query_one(StatusTimeline)
            timeline.display = True
            timeline.show(resource, list(observations), now, tz)
        else:
            fields = other_fields(resource, now, tz)
            self.query_one(StatusTimeline).display = False
        self.query_one("#detail-fields", Static).update(fields)

        fresh = Text(style="dim")
        if loading:
            fresh.append("⟳ refreshing… ")
        if fetched_at is not None:
            fresh.append(f"Last refreshed {format_instant(fetched_at, tz)}")
            fresh.append(f" ({format_age(fetched_at, now)})")
        elif not loading:
            fresh.append("From the list; not fetched yet")
        self.query_one("#detail-freshness", Static).update(fresh)

    def show_node_error(self, error: ServiceError, scope: str) -> None:
        """What a tree error node stands for: which list failed, every detail of the error
        (code, message, request id, profile, region, operation) and what to do."""
        title = Text("Error  ", style="dim")
        title.append(clean(error.title), style="bold")
        self.query_one("#detail-title", Static).update(title)
        banner = self.query_one("#detail-error", Static)
        text = Text("Could not load ", style="bold")
        text.append(clean(scope), style="bold")
        text.append("\n")
        text.append_text(error_panel(error))
        retry = "Press r to retry" + (" once it is fixed." if not error.retryable else ".")
        text.append(retry, style="italic")
        banner.display = True
        banner.set_class(True, "-load-error")
        banner.update(text)
        self.query_one("#detail-fields", Static).update("")
        self.query_one(StatusTimeline).clear()
        self.query_one(StatusTimeline).display = False
        self.query_one("#detail-freshness", Static).update("")

    @staticmethod
    def _error_banner(error: ServiceError) -> Text:
        if error.code == "ResourceNotFoundException":
            head = Text("This resource no longer exists.\n", style="bold")
            head.append("It was deleted after the list was read; press r on its parent ")
            head.append("to refresh the tree.\n\n")
            head.append_text(error_panel(error))
            return head
        head = Text("Could not refresh: ", style="bold")
        head.append(clean(error.title) + "\n")
        head.append_text(error_panel(error))
        return head
