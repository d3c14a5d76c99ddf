"""What makes a cursor move cheap must not change what it shows.

The detail pane's fields are drawn by FieldGrid, not a Rich Table grid: the same cells.
The footer dims and undims its keys in place as the cursor moves: the same keys.
"""

from __future__ import annotations

import pytest
from pilotkit import explorer, make_app, open_path, settle
from rich.console import Console
from rich.table import Table
from rich.text import Text

from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.widgets.app_footer import AppFooter
from harvest_tui.ui.widgets.detail_pane import BreakingText, FieldGrid

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


async def test_the_footer_dims_a_jobs_keys_in_place_as_the_cursor_moves(
    sandbox: Sandbox,
) -> None:
    app = make_app(sandbox)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        footer = app.query_one(AppFooter)

        def etag_dimmed() -> bool:
            (key,) = [k for k in footer.children if getattr(k, "action", "") == "copy_etag"]
            return key.has_class("-disabled")

        await open_path(pilot, "live-sports", "football-main", "cmaf-main")
        await settle(pilot)
        assert etag_dimmed()
        before = list(footer.children)
        await pilot.press("down")  # onto the endpoint's first job
        await settle(pilot)
        assert explorer(app).detail.resource is not None
        assert type(explorer(app).detail.resource).__name__ == "HarvestJob"
        assert not etag_dimmed() and list(footer.children) == before  # not rebuilt
        await pilot.press("up")
        await settle(pilot)
        assert etag_dimmed() and list(footer.children) == before
