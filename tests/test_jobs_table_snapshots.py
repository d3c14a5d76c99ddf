"""Snapshots of the jobs table (J) at 80x24 and 120x40, on the frozen sandbox.

After an intended change: pytest tests/test_jobs_table_snapshots.py --snapshot-update,
then look at every changed SVG as a picture before committing it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pilotkit import TEST_SETTINGS, make_app, open_path, wait_for

from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.screens.jobs_screen import JobsScreen

SIZES = [(80, 24), (120, 40)]
# Polling off: a poll in flight would make the picture flaky.
STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


async def open_jobs(pilot: Any, *path: str) -> JobsScreen:
    await open_path(pilot, *path)
    await pilot.press("J")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    await wait_for(pilot, lambda: screen.progress.done and not screen.busy)
    return screen


async def quiet(pilot: Any, screen: JobsScreen) -> None:
    await wait_for(pilot, lambda: not screen.busy)
    await pilot.pause()


class TestJobsTableSnapshots:
    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_a_groups_jobs_newest_first(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        async def run(pilot: Any) -> None:
            await quiet(pilot, await open_jobs(pilot, "live-sports"))

        assert snap_compare(make_app(sandbox, settings=STILL), terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_failed_jobs_with_a_detail(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        async def run(pilot: Any) -> None:
            screen = await open_jobs(pilot, "news-24x7")
            await pilot.press("s", *["down"] * 5, "enter", "enter")
            await quiet(pilot, screen)

        assert snap_compare(make_app(sandbox, settings=STILL), terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_filter_and_export_prompt(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        async def run(pilot: Any) -> None:
            screen = await open_jobs(pilot, "live-sports")
            await pilot.press("slash", *"final", "enter", "2", "E")
            await quiet(pilot, screen)

        assert snap_compare(make_app(sandbox, settings=STILL), terminal_size=size, run_before=run)
