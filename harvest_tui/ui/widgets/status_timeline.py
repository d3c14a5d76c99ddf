"""StatusTimeline: draws a harvest job's lifecycle, time axis and known events.

All the layout lives in :mod:`harvest_tui.timeline`, which is pure and unit-tested;
this widget only maps its semantic style names to Rich styles and assembles
``rich.text.Text`` with ``append(plain, style)``. Nothing here parses markup, so a job
name or status string can never inject styles, links or actions.

The axis is laid out when Rich renders, at the width Rich offers, so it follows the
pane as it is resized, and Textual measures the ``height: auto`` with the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.text import Text
from textual.app import RenderResult as WidgetRenderResult
from textual.widget import Widget

from harvest_tui.models import HarvestJob, Observation
from harvest_tui.safe_text import clean
from harvest_tui.statuses import STATUS_GLYPH, STATUS_STYLE, UNKNOWN_STYLE
from harvest_tui.timefmt import format_age, format_instant, format_instant_short, in_tz
from harvest_tui.ui.widgets.repaint import repaint
from harvest_tui.ui.widgets.wrapping import SpacedText, glued

if TYPE_CHECKING:
    from harvest_tui.timeline import Stage, Timeline

# Semantic axis styles → Rich styles. The window bar is magenta so that it does not
# read as a status colour; "now" is reversed so it stands out wherever it lands.
AXIS_STYLES: dict[str, str] = {
    "axis": "dim",
    "window": "bold magenta",
    "created": "bold",
    "modified": "bold",
    "now": "bold reverse",
    "observed": "bold",
}
# The label rows under the axis: quieter than the markers they name.
LABEL_STYLES: dict[str, str] = {
    "window": "magenta",
    "now": "bold",
}

_STAGE_SEPARATOR = " ── "
_PENDING_GLYPH = "○"
_DONE_GLYPH = "✓"
_UNKNOWN_STAGE_GLYPH = "?"


def status_style(status: str) -> str:
    """The Rich style for a status, including ones this code does not know yet."""
    return STATUS_STYLE.get(status, UNKNOWN_STYLE)


def rich_style(semantic: str, *, label: bool = False) -> str:
    """The Rich style for one of timeline's semantic style names (on the axis or a label)."""
    kind, _, status = semantic.partition(":")
    if kind == "observed" and status:
        return status_style(status) if label else f"bold {status_style(status)}"
    return (LABEL_STYLES if label else AXIS_STYLES).get(semantic, "")


def stage_chip(stage: Stage) -> tuple[str, str]:
    """(plain text, Rich style) for one lifecycle stage."""
    colour = status_style(stage.name)
    if stage.state == "pending":
        return f"{_PENDING_GLYPH} {stage.name}", "dim"
    if stage.state == "unknown" and not stage.current:
        return f"{_UNKNOWN_STAGE_GLYPH} {stage.name}", "dim italic"
    if stage.current:
        # The job is here: its own glyph, as a reversed chip in its colour.
        glyph = STATUS_GLYPH.get(stage.name, _UNKNOWN_STAGE_GLYPH)
        return f" {glyph} {stage.name} ", f"bold reverse {colour}"
    return f"{_DONE_GLYPH} {stage.name}", colour


def stages_text(stages: Sequence[Stage]) -> Text:
    """The lifecycle line: "● QUEUED ── ▶ IN_PROGRESS ── ○ COMPLETED". Narrow, it wraps
    between stages, never between a glyph and its status."""
    text = SpacedText()
    for i, stage in enumerate(stages):
        if i:
            text.append(_STAGE_SEPARATOR, style="dim")
        plain, style = stage_chip(stage)
        text.append(glued(clean(plain)), style=style)
    return text


def axis_text(timeline: Timeline) -> Text:
    """The axis and its label rows; each row already fits timeline.width."""
    text = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(timeline.rows):
        if i:
            text.append("\n")
        for segment in row:
            text.append(segment.text, style=rich_style(segment.style, label=i > 0))
    return text


def events_text(timeline: Timeline, now: datetime, tz: tzinfo) -> Text:
    """One line per known instant, oldest first, with its age; where a line would not fit
    the width, every instant is given to the minute, without this year (so the ages are not
    the part cut off)."""
    text = events_lines(timeline, now, partial(format_instant, tz=tz))
    if max((line.cell_len for line in text.split()), default=0) > timeline.width:
        year = in_tz(now, tz).year
        text = events_lines(timeline, now, partial(format_instant_short, tz=tz, year=year))
    return text


def events_lines(timeline: Timeline, now: datetime, instant: Callable[[datetime], str]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, event in enumerate(timeline.events):
        if i:
            text.append("\n")
        text.append(f"{event.glyph} ", style=rich_style(event.style))
        text.append(instant(event.at))
        text.append(f"  {event.label}", style="bold" if event.kind == "now" else "")
        if event.kind != "now":
            happened = event.kind not in ("start", "end")  # a window may lie ahead
            text.append(f"  {format_age(event.at, now, happened=happened)}", style="dim")
    return text


@dataclass(frozen=True)
class _Shown:
    """What the timeline was last asked to show."""

    job: HarvestJob
    observations: tuple[Observation, ...]
    now: datetime
    tz: tzinfo


class _TimelineRenderable:
    """Builds the timeline at the width Rich offers, when Rich renders it: once per width.
    Textual renders it to learn its height, then to paint it, and a layout may try the
    width with and without the pane's scrollbar: each width's lines are kept."""

    def __init__(self, shown: _Shown, owner: StatusTimeline) -> None:
        self.shown = shown
        self.owner = owner
        self._drawn: dict[int, tuple[Timeline, list[Segment]]] = {}

    def lines(self, timeline: Timeline) -> Iterator[Text]:
        yield stages_text(timeline.stages)
        yield axis_text(timeline)
        yield events_text(timeline, self.shown.now, self.shown.tz)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if width not in self._drawn:
            from harvest_tui.timeline import build_timeline  # not on the first frame's path

            s = self.shown
            timeline = build_timeline(s.job, s.observations, s.now, max(width, 1), tz=s.tz)
            lines = self.lines(timeline)
            segments = [seg for line in lines for seg in console.render(line, options)]
            if len(self._drawn) >= 4:  # a pane resized by hand: keep only the latest widths
                del self._drawn[next(iter(self._drawn))]
            self._drawn[width] = (timeline, segments)
        self.owner.timeline, segments = self._drawn[width]
        return segments


class StatusTimeline(Widget):
    """A job's lifecycle stages, time axis and event list; blank until :meth:`show`."""

    DEFAULT_CSS = """
    StatusTimeline {
        height: auto;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._shown: _Shown | None = None
        # Drawn once per job and width: Textual asks for it to measure, then to paint.
        self._drawing: _TimelineRenderable | None = None
        # The layout last drawn, for tests and for callers that want the events.
        self.timeline: Timeline | None = None

    def show(
        self,
        job: HarvestJob,
        observations: Sequence[Observation],
        now: datetime,
        tz: tzinfo | None = UTC,
    ) -> None:
        """Draw `job`'s timeline as of `now`, with the status changes seen this session."""
        shown = _Shown(job, tuple(observations), now, tz or UTC)
        if shown == self._shown:
            return  # drawn already (a job's list entry, then its Get, often say the same)
        self._shown = shown
        repaint(self)

    def clear(self) -> None:
        """Draw nothing (no job selected)."""
        if self._shown is None and self.timeline is None:
            return
        self._shown = self._drawing = None
        self.timeline = None
        repaint(self)

    def render(self) -> WidgetRenderResult:
        # Never a str: Textual would parse it as markup.
        if self._shown is None:
            return Text()
        if self._drawing is None or self._drawing.shown is not self._shown:
            self._drawing = _TimelineRenderable(self._shown, self)
        return self._drawing
