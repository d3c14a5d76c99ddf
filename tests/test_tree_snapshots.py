"""Snapshots of the tree that shows what matters: a filtered tree, NO_COLOR, --ascii.

After an intended UI change: pytest tests/test_tree_snapshots.py --snapshot-update, then
look at every changed SVG as a picture before committing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pilotkit import TEST_SETTINGS, make_app, open_path, settle

from harvest_tui.sandbox import Sandbox
from harvest_tui.statuses import use_ascii

SIZES = [(80, 24), (120, 40)]
STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)
FAILED_JOB = ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold")
BUSY_ENDPOINT = ("live-sports", "football-main", "cmaf-main")


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture(autouse=True)
def unicode_glyphs() -> Iterator[None]:
    yield
    use_ascii(False)


async def busy_and_failed(pilot: Any) -> None:
    """A busy endpoint (every status but one) and a failed job under the cursor."""
    await open_path(pilot, *BUSY_ENDPOINT)
    await open_path(pilot, *FAILED_JOB)


class TestTreeSnapshots:
    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_filtered_tree(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        """`/final`: the matches and their ancestors, the match highlighted, the note."""

        async def filtered(pilot: Any) -> None:
            await open_path(pilot, *BUSY_ENDPOINT)
            await pilot.press("slash", *"final")
            await settle(pilot)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=filtered)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_no_color(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int], monkeypatch: Any
    ) -> None:
        """NO_COLOR=1: each status by its glyph, FAILED bold with its glyph reversed."""
        monkeypatch.setenv("NO_COLOR", "1")
        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=busy_and_failed)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_ascii(self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]) -> None:
        """--ascii: ASCII guides, expand icons, statuses and node kinds."""
        app = make_app(sandbox, settings=replace(STILL, ascii=True))
        assert snap_compare(app, terminal_size=size, run_before=busy_and_failed)

    def test_zoomed_tree(self, snap_compare: Any, sandbox: Sandbox) -> None:
        """z at 80x24: the tree alone, the windows in a column at the right."""

        async def zoomed(pilot: Any) -> None:
            await busy_and_failed(pilot)
            await pilot.press("z")
            await settle(pilot)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=(80, 24), run_before=zoomed)
