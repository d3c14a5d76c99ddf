"""The status timeline: lifecycle stages, the fitted axis, events and time formatting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvest_tui.models import (
    Destination,
    HarvestedManifests,
    HarvestJob,
    JobStatus,
    Schedule,
)
from harvest_tui.timeline import (
    STATUS_GLYPH,
    STATUS_STYLE,
    Observation,
    Timeline,
    build_stages,
    build_timeline,
    format_age,
    format_duration,
    format_instant,
)

NOW = datetime(2026, 11, 2, 14, 30, 5, tzinfo=UTC)


def make_job(
    status: str = "COMPLETED",
    *,
    start: datetime = NOW - timedelta(days=1, hours=2),
    end: datetime = NOW - timedelta(days=1),
    created: datetime = NOW - timedelta(hours=3),
    modified: datetime = NOW - timedelta(hours=2, minutes=50),
    name: str = "job",
) -> HarvestJob:
    return HarvestJob(
        group_name="g",
        channel_name="c",
        endpoint_name="e",
        name=name,
        arn="arn:aws:mediapackagev2:eu-west-1:1:x",
        status=JobStatus.parse(status),
        destination=Destination("bucket", "path/"),
        manifests=HarvestedManifests(hls=("index",)),
        schedule=Schedule(start, end),
        created_at=created,
        modified_at=modified,
    )


def row_text(row: tuple) -> str:
    return "".join(s.text for s in row)


def axis(timeline: Timeline) -> str:
    return row_text(timeline.rows[0])


def column_of(timeline: Timeline, glyph: str) -> int:
    return axis(timeline).index(glyph)


# Stages.


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("QUEUED", [("QUEUED", "current"), ("IN_PROGRESS", "pending"), ("COMPLETED", "pending")]),
        ("IN_PROGRESS", [("QUEUED", "done"), ("IN_PROGRESS", "current"), ("COMPLETED", "pending")]),
        ("COMPLETED", [("QUEUED", "done"), ("IN_PROGRESS", "done"), ("COMPLETED", "done")]),
        ("FAILED", [("QUEUED", "done"), ("IN_PROGRESS", "unknown"), ("FAILED", "failed")]),
        ("CANCELLED", [("QUEUED", "done"), ("IN_PROGRESS", "unknown"), ("CANCELLED", "cancelled")]),
    ],
)
def test_stages_for_each_status(status: str, expected: list[tuple[str, str]]) -> None:
    stages = build_stages(status)
    assert [(s.name, s.state) for s in stages] == expected
    current = [s.name for s in stages if s.current]
    assert current == [status]


def test_failed_after_seen_running_marks_it_done() -> None:
    seen = [Observation("IN_PROGRESS", NOW), Observation("FAILED", NOW)]
    stages = build_stages("FAILED", seen)
    assert stages[1].state == "done"


def test_unknown_status_is_cleaned_and_current() -> None:
    stages = build_stages("PAUSED\x1b[2J")
    assert stages[-1].name == "PAUSED\\x1b[2J"
    assert stages[-1].current
    assert [s.state for s in stages[:2]] == ["unknown", "unknown"]


def test_status_tables_cover_every_status() -> None:
    for status in JobStatus:
        assert status in STATUS_STYLE
        assert status.value in STATUS_GLYPH


# Axis.


@pytest.mark.parametrize("width", range(30, 201, 7))
def test_axis_fits_width(width: int) -> None:
    seen = [Observation("IN_PROGRESS", NOW - timedelta(hours=2, minutes=58))]
    timeline = build_timeline(make_job(), seen, NOW, width)
    assert timeline.rows
    for row in timeline.rows:
        assert len(row_text(row)) <= width
    assert len(axis(timeline)) == width  # the axis spans the whole width
    labels = "\n".join(row_text(r) for r in timeline.rows[1:])
    for name in ("start", "end", "created", "now"):
        assert name in labels


def test_instants_are_ordered_on_the_axis() -> None:
    timeline = build_timeline(make_job(), [], NOW, 80)
    cols = [column_of(timeline, g) for g in "[]●◆▲"]
    assert cols == sorted(cols)
    assert cols[0] == 0 and cols[-1] == 79
    assert len(set(cols)) == len(cols)
    between = axis(timeline)[cols[0] + 1 : cols[1]]
    assert between and set(between) == {"━"}  # the window bar


def test_wide_axis_labels_carry_times() -> None:
    timeline = build_timeline(make_job(), [], NOW, 200)
    labels = " ".join(row_text(r) for r in timeline.rows[1:])
    assert "now 11-02 14:30" in labels
    assert "start 11-01 12:30" in labels


def test_labels_use_tz() -> None:
    tz = timezone(timedelta(hours=2))
    timeline = build_timeline(make_job(), [], NOW, 200, tz=tz)
    labels = " ".join(row_text(r) for r in timeline.rows[1:])
    assert "now 11-02 16:30" in labels


def test_coinciding_instants_share_a_column() -> None:
    job = make_job(start=NOW, end=NOW, created=NOW, modified=NOW)
    timeline = build_timeline(job, [Observation("QUEUED", NOW)], NOW, 40)
    assert axis(timeline).count("─") == 39
    assert "▲" in axis(timeline)  # "now" wins the shared column
    labels = row_text(timeline.rows[1])
    assert "start/end/created/modified/queued/now" in labels


def test_zero_length_window() -> None:
    at = NOW - timedelta(days=1)
    timeline = build_timeline(make_job(start=at, end=at), [], NOW, 60)
    assert "┃" in axis(timeline)
    assert "━" not in axis(timeline)


def test_window_ending_before_it_starts_does_not_crash() -> None:
    job = make_job(start=NOW - timedelta(hours=1), end=NOW - timedelta(hours=5))
    timeline = build_timeline(job, [], NOW, 50)
    assert all(len(row_text(r)) <= 50 for r in timeline.rows)
    assert "window end (-4 h)" in [e.label for e in timeline.events]


def test_far_past_and_far_future() -> None:
    job = make_job(
        start=datetime(1, 1, 1, tzinfo=UTC),
        end=datetime(1, 1, 1, 1, tzinfo=UTC),
        created=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    )
    tz = timezone(timedelta(hours=-5))
    timeline = build_timeline(job, [], NOW, 30, tz=tz)
    assert all(len(row_text(r)) <= 30 for r in timeline.rows)
    assert column_of(timeline, "[") == 0
    assert column_of(timeline, "●") == 29


def test_created_before_window() -> None:
    job = make_job(created=NOW - timedelta(days=3))
    timeline = build_timeline(job, [], NOW, 80)
    assert column_of(timeline, "●") < column_of(timeline, "[")


def test_naive_datetimes_are_taken_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    timeline = build_timeline(make_job(), [Observation("QUEUED", naive)], naive, 50)
    assert timeline.events[-1].at == NOW


def test_narrow_widths_abbreviate_but_fit() -> None:
    for width in range(1, 30):
        timeline = build_timeline(make_job(), [], NOW, width)
        assert all(len(row_text(r)) <= width for r in timeline.rows)
    assert build_timeline(make_job(), [], NOW, 0).rows == ()


def test_observations_are_placed_and_listed() -> None:
    seen = [
        Observation("COMPLETED", NOW - timedelta(minutes=10)),
        Observation("IN_PROGRESS", NOW - timedelta(hours=2, minutes=55)),
    ]
    timeline = build_timeline(make_job(), seen, NOW, 120)
    line = axis(timeline)
    running = STATUS_GLYPH["IN_PROGRESS"]
    assert line.index("●") < line.index(running) < line.index("✔") < line.index("▲")
    styles = {s.style for r in timeline.rows for s in r}
    assert {"observed:IN_PROGRESS", "observed:COMPLETED"} <= styles
    labels = [e.label for e in timeline.events]
    assert labels.index("seen IN_PROGRESS") < labels.index("seen COMPLETED")
    assert [e.at for e in timeline.events] == sorted(e.at for e in timeline.events)
    assert labels[-1] == "now"


def test_hostile_observed_status_is_escaped() -> None:
    seen = [Observation("[@click=app.quit]\x1b]52;c;x\x07", NOW - timedelta(minutes=1))]
    timeline = build_timeline(make_job(), seen, NOW, 120)
    everything = " ".join(row_text(r) for r in timeline.rows) + " ".join(
        e.label for e in timeline.events
    )
    assert "\x1b" not in everything and "\x07" not in everything
    assert "seen [@click=app.quit]\\x1b]52;c;x\\x07" in [e.label for e in timeline.events]


# Formatting.


@pytest.mark.parametrize(
    ("td", "expected"),
    [
        (timedelta(0), "0 s"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(seconds=59.9), "59 s"),
        (timedelta(minutes=1, seconds=5), "1 min 5 s"),
        (timedelta(hours=1, minutes=30), "1 h 30 min"),
        (timedelta(hours=1, seconds=7), "1 h"),
        (timedelta(days=2, hours=3, minutes=4), "2 d 3 h"),
        (timedelta(days=400), "1 y 35 d"),
        (timedelta(hours=-2), "-2 h"),
    ],
)
def test_format_duration(td: timedelta, expected: str) -> None:
    assert format_duration(td) == expected


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (NOW - timedelta(hours=3, minutes=20), "3 h ago"),
        (NOW + timedelta(minutes=5, seconds=10), "in 5 min"),
        (NOW - timedelta(seconds=2), "just now"),
        (NOW, "just now"),
        (NOW - timedelta(days=3), "3 d ago"),
    ],
)
def test_format_age(dt: datetime, expected: str) -> None:
    assert format_age(dt, NOW) == expected


def test_format_instant() -> None:
    assert format_instant(NOW) == "2026-11-02 14:30:05 UTC"
    assert format_instant(NOW, timezone(timedelta(hours=1))) == "2026-11-02 15:30:05 +01:00"
    assert format_instant(NOW, timezone(timedelta(hours=-9, minutes=-30))).endswith("-09:30")
    assert format_instant(NOW.replace(tzinfo=None)) == "2026-11-02 14:30:05 UTC"
    far = datetime(1, 1, 1, tzinfo=UTC)
    assert format_instant(far, timezone(timedelta(hours=-5))) == "0001-01-01 00:00:00 UTC"


# Property: any timestamps, any width.

instants = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.just(UTC),
)


@settings(max_examples=300, deadline=None)
@given(
    times=st.lists(instants, min_size=5, max_size=5),
    seen=st.lists(st.tuples(st.sampled_from([*STATUS_GLYPH, "WEIRD\u202e"]), instants), max_size=6),
    width=st.integers(min_value=-2, max_value=250),
    offset=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_never_raises_and_rows_fit(
    times: list[datetime], seen: list[tuple[str, datetime]], width: int, offset: int
) -> None:
    start, end, created, modified, now = times
    job = make_job(start=start, end=end, created=created, modified=modified)
    observations = [Observation(s, t) for s, t in seen]
    tz = timezone(timedelta(minutes=offset))
    timeline = build_timeline(job, observations, now, width, tz=tz)
    for row in timeline.rows:
        assert len(row_text(row)) <= max(width, 0)
    if width >= 1:
        assert len(axis(timeline)) == width
        assert "▲" in axis(timeline)
    assert [e.at for e in timeline.events] == sorted(e.at for e in timeline.events)
    assert len(timeline.events) == 5 + len(observations)


# The widget.


def test_status_timeline_widget_renders() -> None:
    from textual.app import App, ComposeResult
    from textual.geometry import Region

    from harvest_tui.ui.widgets.status_timeline import StatusTimeline

    def screen_text(widget: StatusTimeline) -> str:
        lines = widget.render_lines(Region(0, 0, *widget.size))
        return "\n".join("".join(seg.text for seg in line) for line in lines)

    class TimelineApp(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusTimeline(id="timeline")

    async def run() -> None:
        app = TimelineApp()
        async with app.run_test(size=(80, 24)) as pilot:
            widget = app.query_one(StatusTimeline)
            job = make_job("IN_PROGRESS", name="[@click=app.quit]x[/]")
            seen = [Observation("IN_PROGRESS", NOW - timedelta(minutes=30))]
            widget.show(job, seen, NOW, UTC)
            await pilot.pause()
            rendered = screen_text(widget)
            for stage in ("QUEUED", "IN_PROGRESS", "COMPLETED"):
                assert stage in rendered
            assert "window start" in rendered
            assert widget.timeline is not None and widget.timeline.width == 80
            assert widget.size.height >= 3 + len(widget.timeline.rows)

            await pilot.resize_terminal(50, 24)
            await pilot.pause()
            assert "QUEUED" in screen_text(widget)
            assert widget.timeline.width == 50

            widget.clear()
            await pilot.pause()
            assert "QUEUED" not in screen_text(widget)
            assert widget.size.height <= 1
        assert app.return_code in (None, 0)

    asyncio.run(run())


def test_the_widget_styles_every_semantic_style() -> None:
    """The widget names the styles as literals (it does not import this module before a
    job is shown): they must stay the ones the timeline uses."""
    from harvest_tui.timeline import (
        STYLE_AXIS,
        STYLE_CREATED,
        STYLE_MODIFIED,
        STYLE_NOW,
        STYLE_OBSERVED,
        STYLE_WINDOW,
    )
    from harvest_tui.ui.widgets.status_timeline import AXIS_STYLES

    semantic = {STYLE_AXIS, STYLE_WINDOW, STYLE_CREATED, STYLE_MODIFIED, STYLE_NOW, STYLE_OBSERVED}
    assert semantic == set(AXIS_STYLES)


def test_the_legend_gives_its_instants_to_the_minute_where_a_line_would_not_fit() -> None:
    """At 80 columns the pane is about 44 wide: "] 2026-11-01 14:30:05 UTC  window end (2 h)
    1 d ago" would be cut at its age; the instants lose their year and seconds instead."""
    from harvest_tui.timefmt import format_instant, format_instant_short
    from harvest_tui.ui.widgets.status_timeline import events_text

    job = make_job("IN_PROGRESS")
    wide, narrow = (
        build_timeline(job, [], NOW, 80, tz=UTC),
        build_timeline(job, [], NOW, 44, tz=UTC),
    )
    full = events_text(wide, NOW, UTC).plain.splitlines()
    short = events_text(narrow, NOW, UTC).plain.splitlines()
    assert len(full) == len(short) == len(wide.events)
    for line, event in zip(full, wide.events, strict=True):
        assert format_instant(event.at, UTC) in line
    for line, event in zip(short, narrow.events, strict=True):
        assert format_instant_short(event.at, UTC, year=NOW.year) in line
        assert len(line) <= 44, line
        assert event.kind == "now" or line.endswith(("ago", "now")) or " in " in line, line
    assert format_instant_short(NOW - timedelta(days=400), UTC, year=NOW.year).startswith(
        f"{NOW.year - 1}-"
    )
