"""What makes a cursor move cheap must not change what it shows.

The detail pane's fields are drawn by FieldGrid, not a Rich Table grid: the same cells.
The footer is one widget: as the cursor moves it dims and undims keys, mounting nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pilotkit import explorer, make_app, open_path, settle
from rich.console import Console
from rich.table import Table
from rich.text import Text

from harvest_tui.models import HarvestJob
from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.widgets.app_footer import AppFooter
from harvest_tui.ui.widgets.detail_pane import FieldGrid
from harvest_tui.ui.widgets.wrapping import BreakingText

ARN = (
    "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/live-sports/channel/"
    "football-main/originEndpoint/dash-tv/harvestJob/football-main-post-match-20261101-2215"
)
ROWS: list[tuple[Text, Text]] = [
    (Text("Status"), Text("◐ IN_PROGRESS", style="bold yellow")),
    (Text("ARN"), BreakingText(ARN)),
    (Text("Description"), Text("two\nlines, and a rather long second line to wrap")),
    (Text("Manifests", style="bold underline"), Text("")),
    (Text("  HLS"), BreakingText("index  ", style="cyan") + Text("https://x/y", style="dim")),
    (Text("Tags"), Text("loading…", style="dim italic")),
    (Text("ETag"), Text("—", style="dim")),
    (Text("Egress domain"), BreakingText("x" * 70)),
]


def cells(renderable: object, width: int) -> list[list[tuple[str, str]]]:
    """Every line as (character, style) per cell, so segment boundaries do not count."""
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    lines = console.render_lines(renderable, console.options.update_width(width), pad=True)  # type: ignore[arg-type]
    return [[(ch, str(seg.style or "none")) for seg in line for ch in seg.text] for line in lines]


@pytest.mark.parametrize("width", [6, 14, 20, 33, 47, 64, 81, 120])
def test_field_grid_draws_what_a_rich_table_grid_drew(width: int) -> None:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column("label", style="bold", no_wrap=True, min_width=10)
    grid.add_column("value", ratio=1, overflow="fold")
    for label, value in ROWS:
        grid.add_row(label, value)
    assert cells(FieldGrid(ROWS), width) == cells(grid, width)


async def test_the_footer_dims_a_jobs_keys_as_the_cursor_moves_and_mounts_nothing(
    sandbox: Sandbox,
) -> None:
    """The footer is one widget that paints a line: moving between a job and other nodes
    dims and undims the job's keys, and never mounts a widget (Footer mounted a dozen,
    and laid out the screen, each time)."""
    app = make_app(sandbox)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        footer = app.query_one(AppFooter)

        def cancel_enabled() -> bool:
            (key,) = [k for k in footer.keys if k.action == "cancel_job"]
            return key.enabled

        def cancel_drawn_dim() -> bool:
            line = footer.render_line(0)
            start, end, _ = next(s for s in footer.key_spans(160)[0] if s[2].action == "cancel_job")
            return all(seg.style is not None and seg.style.dim for seg in line.crop(start, end))

        await open_path(pilot, "live-sports", "football-main", "cmaf-main")
        await settle(pilot)
        assert not cancel_enabled() and cancel_drawn_dim()
        widgets = len(list(app.screen.walk_children()))
        await pilot.press("down")  # onto the endpoint's first job, queued: it can be cancelled
        await settle(pilot)
        assert type(explorer(app).detail.resource).__name__ == "HarvestJob"
        assert cancel_enabled() and not cancel_drawn_dim()
        await pilot.press("up")
        await settle(pilot)
        assert not cancel_enabled() and cancel_drawn_dim()
        assert len(list(app.screen.walk_children())) == widgets and not footer.children


async def test_the_timeline_is_built_once_per_job_and_width(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual renders the timeline to learn its height, then to paint it: the layout of
    one job at one width is worked out once, and anew for another job or width."""
    import harvest_tui.timeline as timeline_module
    from harvest_tui.ui.widgets.status_timeline import StatusTimeline

    built: list[int] = []
    built_at: list[object] = []  # the `now` of each build
    real = timeline_module.build_timeline

    def counting(*args: object, **kwargs: object) -> object:
        built.append(args[3])  # type: ignore[arg-type]  # the width
        built_at.append(args[2])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(timeline_module, "build_timeline", counting)
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, "live-sports", "football-main", "cmaf-main")
        await pilot.press("down")  # onto a job
        await settle(pilot)
        timeline = app.query_one(StatusTimeline)
        job = explorer(app).detail.resource
        assert isinstance(job, HarvestJob) and timeline.timeline is not None
        width = timeline.timeline.width
        built.clear()
        built_at.clear()
        await pilot.resize_terminal(100, 40)  # another width: built anew, once
        await settle(pilot)
        assert built and max(built) < width and len(set(built)) == len(built)
        width = timeline.timeline.width
        built.clear()
        built_at.clear()
        now = sandbox.clock.now()
        timeline.show(job, [], now)  # what the detail pane shows: nothing to do
        await pilot.pause()
        assert built == []
        later = now + timedelta(minutes=1)
        timeline.show(job, [], later)  # a minute later
        await pilot.pause()
        await pilot.pause()
        # Measured and painted from one layout. (On a loaded machine the pane's own
        # refresh can show the job again at the app's time meanwhile: not this show.)
        assert [w for w, at in zip(built, built_at, strict=True) if at == later] == [width]
