"""Snapshot tests (pytest-textual-snapshot) at 80x24 and 120x40, on the frozen sandbox.

After an intended UI change: pytest tests/test_snapshots.py --snapshot-update, then look
at every changed SVG as a picture before committing it.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from typing import Any

import pytest
from pilotkit import (
    TEAM_CONFIG,
    TEST_SETTINGS,
    explorer,
    make_app,
    open_path,
    sandbox_profile,
    settle,
    wait_for,
)

from harvest_tui.sandbox import Sandbox

SIZES = [(80, 24), (120, 40)]
# Polling off: a poll in flight would show in the header and make the picture flaky.
STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)

JOBS = {
    "queued": ("live-sports", "football-main", "cmaf-main", "cup-final-highlights"),
    "in_progress": ("live-sports", "football-main", "cmaf-main", "cup-final-full-match"),
    "completed": ("live-sports", "motorsport", "cmaf-main", "grand-prix-replay"),
    "failed": ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold"),
    "cancelled": ("events-popup", "keynote-live", "cmaf-main", "keynote-rehearsal"),
}


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


class TestJobSnapshots:
    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    @pytest.mark.parametrize("status", list(JOBS))
    def test_tree_down_to_a_job(
        self, snap_compare: Any, sandbox: Sandbox, status: str, size: tuple[int, int]
    ) -> None:
        """The tree expanded to a job in each status, its detail and timeline on the right."""

        async def walk(pilot: Any) -> None:
            await open_path(pilot, *JOBS[status])

        assert snap_compare(make_app(sandbox, settings=STILL), terminal_size=size, run_before=walk)


class TestScreens:
    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_help_screen(self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]) -> None:
        async def open_help(pilot: Any) -> None:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=open_help)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_profile_switcher(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:

        async def open_picker(pilot: Any) -> None:
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)

        app = make_app(sandbox, settings=STILL, config=TEAM_CONFIG, active=sandbox_profile(sandbox))
        assert snap_compare(app, terminal_size=size, run_before=open_picker)


class TestBeyondTheHappyPath:
    """What a user sees when things are not fine: errors, questions, badges, emptiness."""

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_error_node_with_its_explanation(
        self,
        snap_compare: Any,
        sandbox: Sandbox,
        size: tuple[int, int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # The pane shows the request id: the same one every run.
        ids = (uuid.UUID(int=n) for n in itertools.count(1))
        monkeypatch.setattr(uuid, "uuid4", lambda: next(ids))
        sandbox.faults.deny_groups = {"news-24x7"}

        async def to_the_error(pilot: Any) -> None:
            group = await open_path(pilot, "news-24x7")
            explorer(pilot.app).resource_tree.move_cursor(group.children[0])
            await settle(pilot)

        # No prefetch: its request would take a request id, and the pane shows the id.
        app = make_app(sandbox, settings=replace(STILL, prefetch=False))
        assert snap_compare(app, terminal_size=size, run_before=to_the_error)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_cancel_confirmation(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        async def ask(pilot: Any) -> None:
            await open_path(pilot, *JOBS["queued"])
            await pilot.press("x")
            await settle(pilot)

        assert snap_compare(make_app(sandbox, settings=STILL), terminal_size=size, run_before=ask)

    def test_read_only_production_header(self, snap_compare: Any, sandbox: Sandbox) -> None:
        active = sandbox_profile(sandbox, name="prod", read_only=True, production=True)
        app = make_app(sandbox, settings=STILL, active=active)
        assert snap_compare(app, terminal_size=(120, 40), run_before=settle)

    def test_an_empty_endpoint_and_an_empty_channel(
        self, snap_compare: Any, sandbox: Sandbox
    ) -> None:
        sandbox.store.add_channel("events-popup", "zz-quiet-channel")
        sandbox.store.add_origin_endpoint("events-popup", "keynote-live", "zz-no-jobs")

        async def open_both(pilot: Any) -> None:
            await open_path(pilot, "events-popup", "zz-quiet-channel")
            await open_path(pilot, "events-popup", "keynote-live", "zz-no-jobs")

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=(120, 40), run_before=open_both)

    def test_loading_in_progress(self, snap_compare: Any, sandbox: Sandbox) -> None:
        async def slow_expand(pilot: Any) -> None:
            await settle(pilot)
            sandbox.faults.latency_ms = 3000
            await pilot.press("l")
            await wait_for(pilot, lambda: explorer(pilot.app).calls_in_flight > 0)
            await pilot.pause()

        # No prefetch: the highlighted group's channels would be in before the expand.
        app = make_app(sandbox, settings=replace(STILL, prefetch=False))
        assert snap_compare(app, terminal_size=(80, 24), run_before=slow_expand)

    def test_two_regions_at_the_top_level(self, snap_compare: Any, sandbox: Sandbox) -> None:
        active = sandbox_profile(sandbox, regions=("us-east-1", "eu-west-1"))
        app = make_app(sandbox, settings=STILL, active=active)
        assert snap_compare(app, terminal_size=(120, 40), run_before=settle)
