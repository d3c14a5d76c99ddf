"""The status timeline of a harvest job, as plain data (no Rich, no Textual).

MediaPackage keeps no status history: a job only says what it is *now*, when it was
created and last modified, and which window of the live stream it harvests. So the
timeline is assembled from three sources:

- the lifecycle QUEUED → IN_PROGRESS → COMPLETED | FAILED | CANCELLED, with the stage
  the job stands at marked (:func:`build_stages`);
- one horizontal axis, laid out for a given width, placing CreatedAt, the schedule
  window (as a bar from start to end), ModifiedAt, "now" and the status changes this
  session saw while polling (:class:`Observation`), with non-overlapping labels;
- the same instants as a sorted list of :class:`Event` for the text below the axis.

The axis is *not* linear: each gap between consecutive instants gets columns in
proportion to ``log(1 + gap / 1 min)``. Harvest windows usually lie in the past and
"now" may be days later, so a linear axis would squash a one-hour window into a
single column; the exact times are in the labels and the event list.

Styles are semantic names (see ``STYLE_*``) that the widget maps to Rich styles;
:data:`STATUS_STYLE` and :data:`STATUS_GLYPH` (from statuses.py) and :class:`Observation`
(from models.py) are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from itertools import pairwise
from typing import Literal, TypeVar

from harvest_tui.models import HarvestJob, Observation, utc
from harvest_tui.safe_text import clean
from harvest_tui.server_clock import not_before
from harvest_tui.statuses import STATUS_GLYPH, STATUS_STYLE, UNKNOWN_GLYPH, UNKNOWN_STYLE
from harvest_tui.timefmt import format_age, format_duration, format_instant, in_tz

__all__ = [
    "STATUS_GLYPH",
    "STATUS_STYLE",
    "UNKNOWN_GLYPH",
    "UNKNOWN_STYLE",
    "Event",
    "Observation",
    "Segment",
    "Stage",
    "Timeline",
    "build_stages",
    "build_timeline",
    "format_age",
    "format_duration",
    "format_instant",
]

# Semantic style names used in Segment.style and Event.style. An observation's
# style is "observed:<STATUS>" so the widget can colour it like that status.
STYLE_AXIS = "axis"
STYLE_WINDOW = "window"
STYLE_CREATED = "created"
STYLE_MODIFIED = "modified"
STYLE_NOW = "now"
STYLE_OBSERVED = "observed"

StageState = Literal["done", "current", "pending", "failed", "cancelled", "unknown"]

# Label rows under the axis before labels are abbreviated, then dropped (the event
# list still has them): keeps the widget's height bounded.
MAX_LABEL_ROWS = 3

_AXIS_CHAR = "─"
_WINDOW_CHAR = "━"
_POINT_WINDOW_CHAR = "┃"  # start and end in one column
_T = TypeVar("_T")
_SHORT_STATUS = {**{s: s.lower() for s in STATUS_GLYPH}, "IN_PROGRESS": "running"}


@dataclass(frozen=True)
class Stage:
    """One lifecycle stage; `current` marks the one the job stands at now.

    `state` is "unknown" for IN_PROGRESS when a job ended FAILED or CANCELLED without
    this session seeing it run: it may have been cancelled while still queued.
    """

    name: str
    state: StageState
    current: bool = False


@dataclass(frozen=True)
class Segment:
    """A run of characters of one semantic style within an axis row."""

    text: str
    style: str


@dataclass(frozen=True)
class Event:
    """One known instant, for the list under the axis."""

    at: datetime
    label: str
    style: str
    glyph: str
    kind: str  # "created" | "start" | "end" | "modified" | "observed" | "now"


@dataclass(frozen=True)
class Timeline:
    """Everything the widget draws; rows never exceed `width` characters."""

    stages: tuple[Stage, ...]
    rows: tuple[tuple[Segment, ...], ...]
    events: tuple[Event, ...]
    width: int


@dataclass(frozen=True)
class _Mark:
    """One instant to place on the time axis, with its label."""

    at: datetime
    kind: str
    glyph: str
    style: str
    name: str  # label text when there is room, e.g. "created"
    abbr: str  # one or two characters when there is not
    priority: int  # which mark's glyph wins a shared column
    event: str  # its line in the event list


_LIFECYCLE_NAMES = ("QUEUED", "IN_PROGRESS", "COMPLETED")
_LIFECYCLE: dict[str, tuple[StageState, StageState, StageState]] = {
    "QUEUED": ("current", "pending", "pending"),
    "IN_PROGRESS": ("done", "current", "pending"),
    "COMPLETED": ("done", "done", "done"),
}

# Ties between equal instants are listed in lifecycle order.
_KIND_ORDER = {"start": 0, "end": 1, "created": 2, "modified": 3, "observed": 4, "now": 5}


def build_stages(status: str, observations: Sequence[Observation] = ()) -> tuple[Stage, ...]:
    """The lifecycle for `status`, marking done, current and pending stages."""
    s = str(status)
    states: tuple[StageState, StageState, StageState]
    if s in _LIFECYCLE:
        states = _LIFECYCLE[s]
        current = _LIFECYCLE_NAMES.index(s)
        return tuple(
            Stage(name, state, i == current)
            for i, (name, state) in enumerate(zip(_LIFECYCLE_NAMES, states, strict=True))
        )
    if s in ("FAILED", "CANCELLED"):
        ran = any(str(o.status) == "IN_PROGRESS" for o in observations)
        return (
            Stage("QUEUED", "done"),
            Stage("IN_PROGRESS", "done" if ran else "unknown"),
            Stage(s, "failed" if s == "FAILED" else "cancelled", True),
        )
    # A status this code does not know: say so rather than guess where it fits.
    return (
        Stage("QUEUED", "unknown"),
        Stage("IN_PROGRESS", "unknown"),
        Stage(clean(s, max_len=40) or "?", "current", True),
    )


def _ascii(text: str, limit: int) -> str:
    """Cleaned, ASCII-only text, so that its length is its width in cells."""
    return clean(text).encode("ascii", "backslashreplace").decode("ascii")[:limit]


def _marks(job: HarvestJob, observations: Sequence[Observation], now: datetime) -> list[_Mark]:
    window = format_duration(job.schedule.end - job.schedule.start)
    marks = [
        _Mark(job.created_at, "created", "●", STYLE_CREATED, "created", "C", 5, "created"),
        _Mark(job.schedule.start, "start", "[", STYLE_WINDOW, "start", "S", 1, "window start"),
        _Mark(job.schedule.end, "end", "]", STYLE_WINDOW, "end", "E", 2, f"window end ({window})"),
        _Mark(job.modified_at, "modified", "◆", STYLE_MODIFIED, "modified", "M", 3, "modified"),
        _Mark(now, "now", "▲", STYLE_NOW, "now", "N", 6, "now"),
    ]
    for obs in observations:
        status = str(obs.status)
        glyph = STATUS_GLYPH.get(status, UNKNOWN_GLYPH)
        name = _SHORT_STATUS.get(status) or _ascii(status, 12).lower() or "?"
        style = f"{STYLE_OBSERVED}:{status}"
        event = f"seen {clean(status, max_len=40)}"
        marks.append(_Mark(obs.seen_at, "observed", glyph, style, name, glyph, 4, event))
    # Normalise to aware UTC: a naive datetime would make comparisons raise.
    return [replace(m, at=utc(m.at) or m.at) for m in marks]


def _columns(times: Sequence[datetime], width: int) -> dict[datetime, int]:
    """Column of each instant: ordered, first at 0, last at width - 1, gaps log-scaled."""
    uniq = sorted(set(times))
    span = max(width - 1, 0)
    if len(uniq) == 1:
        return {uniq[0]: span // 2}
    weights = [math.log1p((b - a).total_seconds() / 60) for a, b in pairwise(uniq)]
    total = sum(weights)
    cols = {uniq[0]: 0}
    acc = 0.0
    for t, w in zip(uniq[1:], weights, strict=True):
        acc += w
        col = round(acc / total * span) if total > 0 else 0
        cols[t] = min(max(col, 0), span)
    return cols


def _time_format(times: Sequence[datetime], tz: tzinfo) -> str:
    """The shortest strftime-free format that tells the instants apart: time, date+time, date."""
    local = [in_tz(t, tz) for t in times]
    if len({d.date() for d in local}) == 1:
        return "time"
    if len({d.year for d in local}) == 1:
        return "monthday"
    return "date"


def _short_time(dt: datetime, tz: tzinfo, fmt: str) -> str:
    d = in_tz(dt, tz)
    if fmt == "time":
        return f"{d.hour:02d}:{d.minute:02d}"
    if fmt == "monthday":
        return f"{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _dedup(items: Sequence[_T]) -> list[_T]:
    """`items` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


@dataclass
class _Group:
    """The marks that share one column, with their label variants (long → short)."""

    col: int
    marks: list[_Mark]
    variants: tuple[str, str, str]

    @property
    def top(self) -> _Mark:
        return max(self.marks, key=lambda m: (m.priority, m.at))


def _groups(marks: list[_Mark], cols: dict[datetime, int], tz: tzinfo) -> list[_Group]:
    fmt = _time_format([m.at for m in marks], tz)
    by_col: dict[int, list[_Mark]] = {}
    for m in sorted(marks, key=lambda m: (m.at, _KIND_ORDER[m.kind])):
        by_col.setdefault(cols[m.at], []).append(m)
    groups = []
    for col, ms in sorted(by_col.items()):
        names = "/".join(_dedup([m.name for m in ms]))
        times = _dedup([_short_time(m.at, tz, fmt) for m in ms])
        when = times[0] if len(times) == 1 else f"{times[0]}..{times[-1]}"
        abbr = "".join(_dedup([m.abbr for m in ms]))
        groups.append(_Group(col, ms, (f"{names} {when}", names, abbr)))
    return groups


def _fits(row: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) keeps at least one blank column from every label in `row`."""
    return all(start >= b + 1 or end + 1 <= a for a, b in row)


def _layout(
    groups: list[_Group], width: int, levels: Sequence[int], strict: bool
) -> list[list[tuple[int, str, str]]] | None:
    """Greedy placement of labels on up to MAX_LABEL_ROWS rows, trying `levels` in order.

    Returns rows of (start column, text, style), or None when `strict` and a label
    does not fit; when not strict, a label that fits at no level is dropped.
    """
    spans: list[list[tuple[int, int]]] = []
    rows: list[list[tuple[int, str, str]]] = []
    for g in groups:
        placed = False
        for level in levels:
            text = g.variants[level]
            if len(text) > width and level < 2:
                continue  # a cut-off name reads worse than an abbreviation
            text = text[:width]
            n = len(text)
            # Start under the marker, else end under it, always inside the width.
            starts = _dedup([min(max(c, 0), width - n) for c in (g.col, g.col - n + 1)])
            for r in range(min(len(spans) + 1, MAX_LABEL_ROWS)):
                if r == len(spans):
                    spans.append([])
                    rows.append([])
                hit = next((s for s in starts if _fits(spans[r], s, s + n)), None)
                if hit is not None:
                    spans[r].append((hit, hit + n))
                    rows[r].append((hit, text, g.top.style))
                    placed = True
                    break
            if placed:
                break
        if not placed and strict:
            return None
    return [r for r in rows if r]


def _segments(cells: list[tuple[str, str]]) -> tuple[Segment, ...]:
    """Runs of equal style, with trailing blanks dropped."""
    while cells and cells[-1][0] == " ":
        cells = cells[:-1]
    out: list[Segment] = []
    for ch, style in cells:
        if out and out[-1].style == style:
            out[-1] = Segment(out[-1].text + ch, style)
        else:
            out.append(Segment(ch, style))
    return tuple(out)


def _axis_rows(marks: list[_Mark], width: int, tz: tzinfo) -> tuple[tuple[Segment, ...], ...]:
    cols = _columns([m.at for m in marks], width)
    axis: list[tuple[str, str]] = [(_AXIS_CHAR, STYLE_AXIS)] * width
    start = next(m for m in marks if m.kind == "start")
    end = next(m for m in marks if m.kind == "end")
    lo, hi = sorted((cols[start.at], cols[end.at]))  # a window ending before it starts still draws
    for c in range(lo + 1, hi):
        axis[c] = (_WINDOW_CHAR, STYLE_WINDOW)
    groups = _groups(marks, cols, tz)
    for g in groups:
        top = g.top
        glyph = top.glyph
        if top.kind in ("start", "end") and {"start", "end"} <= {m.kind for m in g.marks}:
            glyph = _POINT_WINDOW_CHAR
        axis[g.col] = (glyph, top.style)

    labels = _layout(groups, width, (0,), strict=True)
    if labels is None:
        labels = _layout(groups, width, (1,), strict=True)
    if labels is None:
        labels = _layout(groups, width, (1, 2), strict=False) or []
    rows = [_segments(axis)]
    for placed in labels:
        cells: list[tuple[str, str]] = [(" ", "")] * width
        for at, text, style in placed:
            for i, ch in enumerate(text):
                cells[at + i] = (ch, style)
        rows.append(_segments(cells))
    return tuple(rows)


def _events(marks: list[_Mark]) -> tuple[Event, ...]:
    ordered = sorted(marks, key=lambda m: (m.at, _KIND_ORDER[m.kind]))
    return tuple(Event(m.at, m.event, m.style, m.glyph, m.kind) for m in ordered)


def build_timeline(
    job: HarvestJob,
    observations: Sequence[Observation],
    now: datetime,
    width: int,
    *,
    tz: tzinfo | None = UTC,
) -> Timeline:
    """The job's timeline laid out for `width` columns (rows are empty when width < 1).

    `tz` only affects the times printed in axis labels; events keep UTC datetimes.
    """
    tz = tz or UTC
    now = not_before(now, job.created_at, job.modified_at)  # a small skew: now is not before
    marks = _marks(job, observations, now)
    rows = _axis_rows(marks, width, tz) if width >= 1 else ()
    return Timeline(build_stages(str(job.status), observations), rows, _events(marks), width)
