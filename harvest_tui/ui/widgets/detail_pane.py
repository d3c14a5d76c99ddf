"""DetailPane: every field of the selected resource, readably, plus the job timeline.

It owns the data it shows: it renders at once from the list entry the tree gave
it, then a debounced thread worker fetches the resource's Get (tags, fresh status
and ETag), so fast scrolling sends nothing, and an answer for a resource the user
has already left is dropped. It posts `Fetched` upward, so the tree and the
watcher learn of the fresh state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from functools import partial
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.containers import Lines
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.style import Style as RichStyle
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.timer import Timer
from textual.visual import RenderOptions, Visual
from textual.widgets import Static
from textual.worker import get_current_worker

from harvest_tui.backend import Backend, Request, get_at
from harvest_tui.errors import ServiceError
from harvest_tui.history import JobHistory
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
from harvest_tui.ui.calls import begin_call
from harvest_tui.ui.widgets.repaint import update_static
from harvest_tui.ui.widgets.status_timeline import StatusTimeline
from harvest_tui.ui.widgets.wrapping import BreakingText, RichWrapped, SpacedText, glued

DETAIL_DEBOUNCE = 0.15  # seconds the cursor rests on a node before its Get is sent
AGE_SECONDS = 10.0  # how often the shown ages are brought up to date
KIND_NAMES = {
    ChannelGroup: "Channel group",
    Channel: "Channel",
    OriginEndpoint: "Origin endpoint",
    HarvestJob: "Harvest job",
}


class FieldTable:
    """Label/value rows, where every value is sanitized plain text: see FieldGrid."""

    def __init__(self) -> None:
        self.rows: list[tuple[Text, Text]] = []

    def row(self, label: str, value: object, style: str = "") -> None:
        if isinstance(value, Text):
            self.rows.append((Text(label), value))
        else:
            self.rows.append((Text(label), BreakingText(clean(value), style=style)))

    def text_row(self, label: str, value: str | None, *, multiline: bool = False) -> None:
        shown = clean(value, multiline=multiline) if value else "—"
        self.rows.append((Text(label), Text(shown, style="" if value else "dim")))

    def section(self, title: str) -> None:
        self.rows.append((Text(title, style="bold underline"), Text("")))

    @property
    def grid(self) -> FieldGrid:
        return FieldGrid(self.rows)


class FieldGrid:
    """The rows as two columns: bold labels as wide as the widest (at least 10 cells), two
    cells apart from values that wrap in the rest of the width.

    It draws what a Rich `Table.grid(padding=(0, 1), expand=True)` of these rows drew, cell
    for cell, at a fraction of the cost: the pane renders it on every cursor move, and Textual
    renders it twice per width (once to learn its height). The lines of the last width are
    kept, so the second time costs nothing.
    """

    def __init__(self, rows: Sequence[tuple[Text, Text]]) -> None:
        self.rows = rows
        self.label_width = max([10, *(label.cell_len for label, _ in rows)])
        self._width = -1
        self._segments: list[Segment] = []

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return self.segments(console, options.max_width)

    def key(self) -> tuple[object, ...]:
        """What the grid draws: every row's text, base style and spans."""
        return tuple(
            (type(text), text.plain, str(text.style), tuple(text.spans))
            for row in self.rows
            for text in row
        )

    def segments(self, console: Console, width: int) -> list[Segment]:
        """The lines at `width`, each ending in a new line."""
        if width != self._width:
            self._segments = self._render(console, width)
            self._width = width
        return self._segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(self.label_width + 3, options.max_width), options.max_width)

    def _render(self, console: Console, width: int) -> list[Segment]:
        label_cells = min(self.label_width + 1, width)  # the label, and a cell of gap
        value_width = width - label_cells
        bold = console.get_style("bold")
        segments: list[Segment] = []
        blank_label = Segment(" " * label_cells, bold)
        new_line = Segment.line()
        for label, value in self.rows:
            head = label.copy()
            head.truncate(min(self.label_width, width), pad=True)
            first = [*_render_line(head, console, bold), Segment(" ", bold)][:label_cells]
            lines = Lines()
            if value_width > 0:
                lines = value.wrap(console, value_width, justify="left", overflow="fold")
            for i, line in enumerate(lines or [Text("")]):
                segments.extend(first if i == 0 else [blank_label])
                segments.extend(_render_line(line, console))
                if line.cell_len < value_width:  # BreakingText: justify pads the others
                    segments.append(Segment(" " * (value_width - line.cell_len)))
                segments.append(new_line)
        return segments


class FieldsVisual(Visual):
    """A FieldGrid as Textual draws it, without Rich's console in the way: its strips are
    made once per width and style, from the grid's segments, as Textual's RichVisual
    would make them (the widget's style under every segment, cropped to the width)."""

    def __init__(self, grid: FieldGrid, console: Console) -> None:
        self.grid = grid
        self.console = console
        self._key: tuple[int, RichStyle] | None = None
        self._strips: list[Strip] = []

    def render_strips(
        self, width: int, height: int | None, style: TextualStyle, options: RenderOptions
    ) -> list[Strip]:
        base = style.rich_style
        if self._key != (width, base):
            segments = self.grid.segments(self.console, width)
            styled = [Segment(text, base + seg_style) for text, seg_style, _ in segments]
            lines = Segment.split_and_crop_lines(styled, width, include_new_lines=False, pad=False)
            self._strips = [Strip(line) for line in lines]
            self._key = (width, base)
        return self._strips[:height] if height is not None else self._strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def __eq__(self, other: object) -> bool:
        """The same rows, styles and all: the pane need not repaint them."""
        return isinstance(other, FieldsVisual) and self.grid.key() == other.grid.key()

    __hash__ = None  # type: ignore[assignment]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Still a Rich renderable, for whoever prints the pane's content."""
        return self.grid.segments(console, options.max_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return sum(text.count("\n") for text, _, _ in self.grid.segments(self.console, width))


def _render_line(line: Text, console: Console, under: Style | None = None) -> list[Segment]:
    """One line of Text as segments, its own style (and `under`'s) on every cell."""
    base = console.get_style(line.style) if line.style else None
    if under is not None:
        base = under + base if base is not None else under
    return list(Segment.apply_style(line.render(console), base))


def instant(dt: datetime | None, now: datetime, tz: tzinfo, *, happened: bool = False) -> Text:
    if dt is None:
        return Text("—", style="dim")
    text = SpacedText(format_instant(dt, tz))
    text.append(f"  ({glued(format_age(dt, now, happened=happened))})", style="dim")
    return text


def etag_text(etag: str | None) -> Text:
    """An ETag, folded at the width: it is base64, whose `/` is not a place to break."""
    return SpacedText(clean(etag)) if etag else Text("—")


def status_text(status: str) -> Text:
    style = STATUS_STYLE.get(status, "")
    return Text(f"{STATUS_GLYPH.get(status, '?')} {clean(status)}", style=f"bold {style}")


def tags_rows(table: FieldTable, tags: object) -> None:
    if tags is None:
        table.row("Tags", Text("loading…", style="dim italic"))
        return
    assert isinstance(tags, dict) or hasattr(tags, "items")
    items = sorted(tags.items())
    if not items:
        table.row("Tags", Text("none", style="dim"))
    for i, (key, value) in enumerate(items):
        text = Text()
        text.append(clean(key), style="cyan")
        text.append(" = ", style="dim")
        text.append(clean(value))
        table.row("Tags" if i == 0 else "", text)


def job_fields(job: HarvestJob, now: datetime, tz: tzinfo) -> FieldGrid:
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
    t.row("Created", instant(job.created_at, now, tz, happened=True))
    t.row("Modified", instant(job.modified_at, now, tz, happened=True))
    t.row("ETag", etag_text(job.etag))
    tags_rows(t, job.tags)
    return t.grid


def other_fields(resource: Resource, now: datetime, tz: tzinfo) -> FieldGrid:
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
            line = BreakingText(f"{m.kind:<7}", style="cyan")
            line.append(clean(m.name))
            if m.url:
                line.append(f"  {clean(m.url)}", style="dim")
            t.row("", line)
        if not resource.manifests:
            t.row("", Text("none", style="dim"))
    t.text_row("Description", resource.description, multiline=True)
    t.row("Created", instant(resource.created_at, now, tz, happened=True))
    t.row("Modified", instant(resource.modified_at, now, tz, happened=True))
    t.row("ETag", etag_text(resource.etag))
    tags_rows(t, resource.tags)
    return t.grid


def format_duration_s(seconds: int) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=seconds))


def explanation(job: HarvestJob, region: str) -> Text:
    """What the failure means and what to do (explain.py), after the service's message;
    nothing more when the message is not one it knows."""
    from harvest_tui.explain import explain_job  # failed jobs only: not on the first frame

    why = explain_job(job, "" if region == "default" else region)
    text = Text()
    if why is None or not why.known:
        return text
    text.append("\n\nWhy: ", style="bold")
    text.append(clean(why.summary))
    text.append("\nWhat to do: ", style="bold")
    text.append(clean(why.advice))
    if why.policy:
        text.append("\n\nBucket policy statement (C then p copies it):\n", style="bold")
        text.append(clean(why.policy, multiline=True), style="cyan")
    return text


def error_panel(error: ServiceError) -> Text:
    text = Text()
    for label, value in error.details():
        text.append(f"{label}: ", style="bold")
        text.append(clean(value) + "\n")
    return text


def resource_key(resource: Resource) -> tuple[str, ...]:
    if isinstance(resource, HarvestJob):
        return ("job", *resource.key)
    if isinstance(resource, OriginEndpoint):
        return ("endpoint", resource.group_name, resource.channel_name, resource.name)
    if isinstance(resource, Channel):
        return ("channel", resource.group_name, resource.name)
    return ("group", resource.name)


def get_request(resource: Resource) -> Request[Resource]:
    """The Get call for `resource`'s level (GetHarvestJob for a job)."""
    request = get_at(resource_key(resource)[1:])
    assert request is not None  # a resource has 1 to 4 names
    return request


def with_tags(job: HarvestJob, tags: Mapping[str, str] | None) -> HarvestJob:
    return job if job.tags is not None or tags is None else replace(job, tags=tags)


class DetailPane(VerticalScroll):
    """The right-hand pane: title, error banner, fields, timeline, freshness."""

    # Focused (Tab), it scrolls with the tree's keys too, not only the arrows and pages.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", show=False),
        Binding("k", "scroll_up", show=False),
        Binding("g", "scroll_home", show=False),
        Binding("G", "scroll_end", show=False),
    ]

    @dataclass
    class Fetched(Message):
        """The Get call for the shown resource answered: its fresh state."""

        region: str
        resource: Resource
        fetched_at: datetime

    class Shown(Message):
        """What the pane shows changed (another resource, or none): keys may apply or not."""

    @dataclass
    class _Answer(Message):
        key: tuple[str, ...]
        resource: Resource | None
        error: ServiceError | None
        fetched_at: datetime
        bubble: ClassVar[bool] = False

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        history: JobHistory,
        tz: tzinfo,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.history = history
        self.tz = tz
        self.resource: Resource | None = None
        self.aws_region = ""
        self.backend: Backend | None = None
        self.fetched_at: datetime | None = None
        self.error: ServiceError | None = None
        self.fetching = False
        self.pending = False  # a fetch waits for the debounce
        self.node_error: tuple[ServiceError, str] | None = None
        self._timer: Timer | None = None
        self._last_shown: object = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-error")
        yield Static(id="detail-fields")
        yield StatusTimeline(id="detail-timeline")
        yield Static(id="detail-freshness")

    def on_mount(self) -> None:
        self.render_state()
        self.set_interval(AGE_SECONDS, self._age)

    def _age(self) -> None:
        """Ages ("2 min ago") and "Last refreshed" move on while the pane is read."""
        if self.resource is not None and not self.fetching:
            self.render_state()

    # What to show: the tree says.

    def show_resource(self, region: str, resource: Resource, backend: Backend | None) -> None:
        """Show `resource` (from its list entry) now, and fetch it after the debounce."""
        if (
            self.node_error is None
            and self.resource is not None
            and resource_key(self.resource) == resource_key(resource)
            and self.aws_region == region
        ):
            return  # already shown
        if self.scroll_y:  # another resource: read from its top (its name and status)
            self.scroll_home(animate=False, immediate=True)
        self.node_error = None
        self.resource = resource
        self.aws_region = region
        self.backend = backend
        self.fetched_at = None
        self.error = None
        self.render_state()
        self.fetch()

    def show_node_error_of(self, error: ServiceError, scope: str) -> None:
        """What a tree error node stands for: which list failed, and why."""
        if self.node_error is not None and self.node_error[0] is error:
            return
        self._stop_timer()
        self.resource = None
        self.error = None
        self.fetching = False
        self.node_error = (error, scope)
        self.render_state()

    def clear_resource(self) -> None:
        self._stop_timer()
        self.resource = None
        self.node_error = None
        self.error = None
        self.fetching = False
        self.render_state()

    # Fetching.

    def fetch(self, *, immediate: bool = False) -> None:
        """GetX for the shown resource, after a short pause so fast scrolling sends nothing."""
        self._stop_timer()
        self.pending = True
        if immediate:
            self._start_fetch()
        else:
            self._timer = self.set_timer(DETAIL_DEBOUNCE, self._start_fetch)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.pending = False

    def _start_fetch(self) -> None:
        self.pending = False
        self._timer = None
        resource, backend = self.resource, self.backend
        if resource is None or backend is None:
            return
        self.fetching = True
        self.render_state()
        finish = begin_call(self, backend, get_request(resource))
        self.run_worker(
            partial(self._wait_for_fetch, resource_key(resource), finish),
            name="detail",
            group="detail",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _wait_for_fetch(self, key: tuple[str, ...], finish: Callable[[], Resource]) -> None:
        """In a thread worker: the Get's answer, posted back to the pane."""
        try:
            fresh = finish()
        except ServiceError as error:
            if not get_current_worker().is_cancelled:
                self.post_message(self._Answer(key, None, error, self.clock()))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self._Answer(key, fresh, None, self.clock()))

    def _on_detail_pane__answer(self, message: _Answer) -> None:
        current = self.resource
        if current is None or resource_key(current) != message.key:
            return  # the user has moved on
        self.fetching = False
        if message.resource is None:
            self.error = message.error
            self.render_state()
            return
        self.resource = message.resource
        self.fetched_at = message.fetched_at
        self.error = None
        self.render_state()
        self.post_message(self.Fetched(self.aws_region, message.resource, message.fetched_at))

    # What others learned of the shown job.

    def shows_job(self, region: str, key: tuple[str, str, str, str]) -> bool:
        shown = self.resource
        return isinstance(shown, HarvestJob) and shown.key == key and self.aws_region == region

    def job_changed(self, region: str, job: HarvestJob, fetched_at: datetime | None) -> None:
        """A fresh state of a job (a poll): shown at once if it is the shown job."""
        shown = self.resource
        if not isinstance(shown, HarvestJob) or not self.shows_job(region, job.key):
            return
        self.resource = with_tags(job, shown.tags)
        if fetched_at is not None:
            self.fetched_at = fetched_at
            self.error = None
        self.render_state()

    def job_gone(self, region: str, key: tuple[str, str, str, str], error: ServiceError) -> None:
        if self.shows_job(region, key):
            self.error = error
            self.fetching = False
            self.render_state()

    # Rendering.

    def render_state(self) -> None:
        """Show the current state: the resource, a tree error node, or nothing."""
        resource = self.resource
        shown = None
        if resource is not None:
            shown = (resource_key(resource), type(resource), getattr(resource, "status", None))
        if shown != self._last_shown:
            self._last_shown = shown
            self.post_message(self.Shown())
        if resource is None:
            if self.node_error is not None:
                self.show_node_error(*self.node_error)
            else:
                self.show_empty()
            return
        observations: list[Observation] = []
        if isinstance(resource, HarvestJob):
            observations = self.history.of(self.aws_region, resource.key)
        self.show(
            resource,
            now=self.clock(),
            tz=self.tz,
            fetched_at=self.fetched_at,
            observations=observations,
            error=self.error,
            loading=self.fetching,
        )

    def show_empty(self) -> None:
        update_static(
            self.query_one("#detail-title", Static),
            Text("Select a resource in the tree (↑↓ to move, → to expand, ? for help)", "dim"),
        )
        for wid in ("#detail-error", "#detail-fields", "#detail-freshness"):
            update_static(self.query_one(wid, Static), "")
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
        update_static(self.query_one("#detail-title", Static), title)

        banner = self.query_one("#detail-error", Static)
        banner_text: Text | None = None
        if error is not None:
            banner_text = self._error_banner(error)
        if isinstance(resource, HarvestJob) and resource.error_message:
            # A failed refresh must not hide why the job itself failed: show both.
            failed = Text("✖ The job failed\n", style="bold")
            failed.append(clean(resource.error_message, multiline=True))
            failed.append_text(explanation(resource, self.aws_region))
            if banner_text is None:
                banner_text = failed
            else:
                banner_text.append("\n")
                banner_text.append_text(failed)
        banner.display = banner_text is not None
        banner.set_class(error is not None, "-load-error")
        update_static(banner, banner_text or "")

        if isinstance(resource, HarvestJob):
            fields = job_fields(resource, now, tz)
            timeline = self.query_one(StatusTimeline)
            timeline.display = True
            timeline.show(resource, list(observations), now, tz)
        else:
            fields = other_fields(resource, now, tz)
            self.query_one(StatusTimeline).display = False
        update_static(
            self.query_one("#detail-fields", Static), FieldsVisual(fields, self.app.console)
        )

        fresh = SpacedText(style="dim")
        if loading:
            fresh.append("⟳ refreshing… ")
        if fetched_at is not None:
            fresh.append(f"Last refreshed {format_instant(fetched_at, tz)}")
            fresh.append(f" ({glued(format_age(fetched_at, now, happened=True))})")
        elif not loading:
            fresh.append("From the list; not fetched yet")
        update_static(self.query_one("#detail-freshness", Static), RichWrapped(fresh))

    def show_node_error(self, error: ServiceError, scope: str) -> None:
        """What a tree error node stands for: which list failed, every detail of the error
        (code, message, request id, profile, region, operation) and what to do."""
        title = Text("Error  ", style="dim")
        title.append(clean(error.title), style="bold")
        update_static(self.query_one("#detail-title", Static), title)
        banner = self.query_one("#detail-error", Static)
        text = Text("Could not load ", style="bold")
        text.append(clean(scope), style="bold")
        text.append("\n")
        text.append_text(error_panel(error))
        retry = "Press r to retry" + (" once it is fixed." if not error.retryable else ".")
        text.append(retry, style="italic")
        banner.display = True
        banner.set_class(True, "-load-error")
        update_static(banner, text)
        update_static(self.query_one("#detail-fields", Static), "")
        self.query_one(StatusTimeline).clear()
        self.query_one(StatusTimeline).display = False
        update_static(self.query_one("#detail-freshness", Static), "")

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
