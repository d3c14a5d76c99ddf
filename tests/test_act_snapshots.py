"""Snapshots of acting on jobs: the create form (as opened, filled, refused) and the
failure explainer, at 80x24 and 120x40 on the frozen sandbox.

After an intended change: pytest tests/test_act_snapshots.py --snapshot-update, then
look at every changed SVG as a picture before committing it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pilotkit import TEST_SETTINGS, make_app, open_path, settle, wait_for
from textual.widgets import Input

from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.screens.job_form import JobForm

SIZES = [(80, 24), (120, 40)]
STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)
ENDPOINT = ("events-popup", "keynote-live", "cmaf-main")
DENIED_JOB = ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold")


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


async def open_form(pilot: Any) -> JobForm:
    await open_path(pilot, *ENDPOINT)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobForm))
    form = pilot.app.screen
    assert isinstance(form, JobForm)
    await wait_for(pilot, lambda: form.endpoint is not None and form.active_count is not None)
    # The sandbox listens on a random port: show a fixed one in the AWS CLI command.
    active = replace(form.target.active, endpoint_url="http://127.0.0.1:8080")
    form.target = replace(form.target, active=active)
    form.check()
    await settle(pilot)
    return form


def fill(form: JobForm, **values: str) -> None:
    for field, value in values.items():
        form.query_one(f"#form-{field}", Input).value = value


class TestJobForm:
    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_as_opened(self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]) -> None:
        async def run(pilot: Any) -> None:
            await open_form(pilot)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_filled(self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]) -> None:
        async def run(pilot: Any) -> None:
            form = await open_form(pilot)
            fill(
                form,
                name="keynote-opening",
                description="Opening keynote, for the VOD catalogue",
                tags="team=events, purpose=vod",
            )
            await pilot.click("#full-hour")
            await settle(pilot)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_refused(self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]) -> None:
        async def run(pilot: Any) -> None:
            form = await open_form(pilot)
            fill(form, name="bad name!", start="-30h", end="-1h", bucket="Not_A_Bucket")
            await pilot.press("ctrl+s")
            await settle(pilot)
            form.query_one("#form-scroll").scroll_home(animate=False)
            await settle(pilot)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=run)


class TestExplainer:
    @pytest.mark.parametrize("size", SIZES, ids=size_id)
    def test_access_denied(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        async def run(pilot: Any) -> None:
            await open_path(pilot, *DENIED_JOB)

        app = make_app(sandbox, settings=STILL)
        assert snap_compare(app, terminal_size=size, run_before=run)
