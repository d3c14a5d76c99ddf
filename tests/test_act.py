"""Acting on jobs, driven by Pilot against the sandbox: create (n), re-run (R), the copy
menu (C), and cancelling on a production profile.

Every test runs the real app through the real service worker; nothing is stubbed.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from pilotkit import (
    TEST_SETTINGS,
    make_app,
    open_path,
    sandbox_profile,
    settle,
    wait_for,
    widget_text,
)

from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.service import Connection, MediaPackageService
from harvest_tui.ui.screens.confirm_screen import ConfirmScreen
from harvest_tui.ui.screens.copy_menu import CopyMenu
from harvest_tui.ui.screens.job_form import JobForm

STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)
ENDPOINT = ("events-popup", "keynote-live", "cmaf-main")
FAILED_JOB = ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold")
QUEUED_JOB = ("live-sports", "football-main", "cmaf-main", "cup-final-highlights")


def service(sandbox: Sandbox) -> MediaPackageService:
    conn = Connection(
        region="us-east-1",
        endpoint_url=sandbox.endpoint_url,
        static_credentials=("sandbox", "sandbox"),
    )
    return MediaPackageService(conn)


async def open_form(pilot: Any, *path: str, key: str = "n") -> JobForm:
    await open_path(pilot, *path)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobForm))
    form = pilot.app.screen
    assert isinstance(form, JobForm)
    await wait_for(pilot, lambda: form.endpoint is not None and form.active_count is not None)
    await pilot.pause()
    return form


async def set_field(pilot: Any, form: JobForm, field: str, value: str) -> None:
    from textual.widgets import Input

    form.query_one(f"#form-{field}", Input).value = value
    await pilot.pause()


def fill_group_quota(sandbox: Sandbox, group: str = "live-sports") -> None:
    """Queued jobs until `group` has 10 active ones (the quota)."""
    active = len(sandbox.store.active_jobs(group))
    for i in range(10 - active):
        sandbox.store.add_harvest_job(
            group,
            "football-main",
            "cmaf-main",
            f"quota-filler-{i}",
            start=DEMO_NOW - timedelta(minutes=30),
            end=DEMO_NOW + timedelta(hours=2),
            bucket="acme-media-archive",
            path=f"filler/{i}/",
        )
    assert len(sandbox.store.active_jobs(group)) == 10


class TestCreate:
    async def test_n_typed_name_ctrl_s_creates_the_job(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *ENDPOINT)
            name_box = form.query_one("#form-name")
            name_box.value = ""
            await pilot.click("#form-name")
            await pilot.press(*"keynote-clip")
            await wait_for(pilot, lambda: form.spec is not None)
            spec = form.spec
            assert "create-harvest-job" in widget_text(form, "#form-cli", width=400)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, JobForm))
            await settle(pilot)
            assert sandbox.request_counts["CreateHarvestJob"] == 1
            job = service(sandbox).get_harvest_job(*ENDPOINT, "keynote-clip")
            assert (job.schedule.start, job.schedule.end) == (spec.start, spec.end)
            assert job.manifests == spec.manifests and job.manifests.count >= 1
            assert (job.destination.bucket, job.destination.path) == (spec.bucket, spec.path)
            assert "keynote-clip" in job.destination.path
            assert any("Created harvest job keynote-clip" in n.message for n in app._notifications)
            # The endpoint's node was refreshed: the new job is in the tree, selected.
            tree = app.explorer.resource_tree
            await wait_for(pilot, lambda: tree.cursor_node.data.name == "keynote-clip")
            endpoint = tree.cursor_node.parent
            assert endpoint is not None and endpoint.data.name == ENDPOINT[-1]
            assert endpoint.is_expanded
            await wait_for(pilot, lambda: app.explorer.detail.resource.name == "keynote-clip")

    async def test_the_path_keeps_following_the_name_however_fast_it_is_typed(
        self, sandbox: Sandbox
    ) -> None:
        """Two changes of the name before the form has handled the first (keys typed fast,
        or pasted): the path follows the last, and goes on following."""
        from textual.widgets import Input

        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *ENDPOINT)
            name, path = form.query_one("#form-name", Input), form.query_one("#form-path", Input)
            name.value = "first"
            name.value = "has-space"
            await pilot.pause()
            await wait_for(pilot, lambda: path.value.endswith("/has-space/"))
            await set_field(pilot, form, "name", "ux-test-1")
            await wait_for(pilot, lambda: path.value.endswith("/ux-test-1/"))
            # The user's own path is kept: the name no longer moves it.
            await set_field(pilot, form, "path", "mine/")
            await set_field(pilot, form, "name", "ux-test-2")
            assert path.value == "mine/"

    def test_a_path_copied_from_the_last_job_takes_the_new_windows_day(
        self, sandbox: Sandbox
    ) -> None:
        """The endpoint's last job wrote under its own day (…/2026/10/29/<name>/): a new
        job's default path names the new window's day and the new name, not that job's."""
        from harvest_tui.config import ActiveProfile
        from harvest_tui.ui.screens.job_form import Target, new_job_prefill

        last = service(sandbox).list_harvest_jobs(ENDPOINT[0], channel=ENDPOINT[1])[0]
        day = last.schedule.start
        folder = f"{ENDPOINT[0]}/{ENDPOINT[1]}/{day:%Y/%m/%d}/{last.name}/"
        last = replace(last, destination=replace(last.destination, path=folder))
        now = day + timedelta(days=40)
        active = ActiveProfile("sandbox", source="test")
        target = Target(*ENDPOINT, "us-east-1", service(sandbox), active)
        prefill = new_job_prefill(target, now, last)
        start = now - timedelta(minutes=15)
        assert prefill.path == f"{ENDPOINT[0]}/{ENDPOINT[1]}/{start:%Y/%m/%d}/{prefill.name}/"
        assert f"{day:%Y/%m/%d}" not in prefill.path

    async def test_the_paths_day_follows_the_window_until_the_path_is_typed(
        self, sandbox: Sandbox
    ) -> None:
        from textual.widgets import Input

        endpoint = ("live-sports", "football-main", "cmaf-main")  # its jobs write by day
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *endpoint)
            path = form.query_one("#form-path", Input)
            today = f"{DEMO_NOW:%Y/%m/%d}"
            assert f"/{today}/" in path.value, path.value
            await set_field(pilot, form, "start", "2026-10-30T22:00:00Z")
            await set_field(pilot, form, "end", "2026-10-30T23:00:00Z")
            assert "/2026/10/30/" in path.value and today not in path.value, path.value
            await set_field(pilot, form, "name", "late-show")
            assert path.value.endswith("/2026/10/30/late-show/"), path.value
            await set_field(pilot, form, "path", "mine/2026/10/30/")
            await set_field(pilot, form, "start", "2026-10-29T22:00:00Z")
            assert path.value == "mine/2026/10/30/"  # the user's own path is left alone

    async def test_esc_asks_before_dropping_what_was_typed(self, sandbox: Sandbox) -> None:
        from textual.widgets import Input

        from harvest_tui.ui.screens.confirm_screen import ConfirmScreen

        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *ENDPOINT)
            await pilot.press("escape")  # nothing changed: it just closes
            await wait_for(pilot, lambda: not isinstance(app.screen, JobForm))
            form = await open_form(pilot, *ENDPOINT)
            await set_field(pilot, form, "description", "the keynote, for the archive")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("n")  # back to the form, as it was
            await wait_for(pilot, lambda: app.screen is form)
            typed = form.query_one("#form-description", Input).value
            assert typed == "the keynote, for the archive"
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: not isinstance(app.screen, (JobForm, ConfirmScreen)))
            assert sandbox.request_counts.get("CreateHarvestJob", 0) == 0

    async def test_a_window_over_24_h_is_refused_at_its_field(self, sandbox: Sandbox) -> None:
        """…and its length is shown whole, every unit, on one line at 80 columns."""
        from pilotkit import terminal

        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(80, 24)) as pilot:
            form = await open_form(pilot, *ENDPOINT)
            await set_field(pilot, form, "start", "-30h")
            await set_field(pilot, form, "end", "-1m")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, JobForm)
            assert "at most 24 h" in widget_text(form, "#error-end")
            assert "window 1 d 5 h 59 min" in widget_text(form, "#form-duration")
            _, screen = terminal(app)
            assert "window 1 d 5 h 59 min" in screen, screen
            await settle(pilot)
            assert sandbox.request_counts["CreateHarvestJob"] == 0

    async def test_the_eleventh_active_job_is_refused_before_sending(
        self, sandbox: Sandbox
    ) -> None:
        fill_group_quota(sandbox)
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, "live-sports", "football-main", "cmaf-main")
            assert form.active_count == 10
            assert "the quota is 10" in widget_text(form, "#form-status")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, JobForm)
            assert sandbox.request_counts["CreateHarvestJob"] == 0

    async def test_read_only_profile_refuses(self, sandbox: Sandbox) -> None:
        active = sandbox_profile(sandbox, read_only=True)
        app = make_app(sandbox, active=active, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *ENDPOINT)
            await pilot.press("n")
            await settle(pilot)
            assert not isinstance(app.screen, JobForm)
            assert any("read-only" in n.message for n in app._notifications)
            assert sandbox.request_counts["CreateHarvestJob"] == 0

    async def test_production_asks_naming_profile_account_and_region(
        self, sandbox: Sandbox
    ) -> None:
        active = sandbox_profile(sandbox, name="prod", production=True)
        app = make_app(sandbox, active=active, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *ENDPOINT)
            await wait_for(pilot, lambda: form.spec is not None)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = widget_text(app.screen, "#confirm-question")
            account = form.endpoint.arn.split(":")[4]
            for expected in ("PRODUCTION", "prod", account, "us-east-1"):
                assert expected in question, expected
            await pilot.press("n")
            await settle(pilot)
            assert sandbox.request_counts["CreateHarvestJob"] == 0
            assert app.screen is form
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: not isinstance(app.screen, JobForm | ConfirmScreen))
            assert sandbox.request_counts["CreateHarvestJob"] == 1

    async def test_a_service_refusal_is_shown_and_nothing_typed_is_lost(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *ENDPOINT)
            sandbox.store.add_harvest_job(
                *ENDPOINT,
                form.query_one("#form-name").value,
                start=DEMO_NOW - timedelta(hours=2),
                end=DEMO_NOW - timedelta(hours=1),
                bucket="acme-media-archive",
                path="taken/",
            )
            await set_field(pilot, form, "description", "typed by hand")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: form.service_error is not None)
            assert isinstance(app.screen, JobForm)
            assert form.service_error.code == "ConflictException"
            assert "already exists" in widget_text(form, "#form-status")
            assert "Choose another name" in widget_text(form, "#form-status")
            assert form.query_one("#form-description").value == "typed by hand"


class TestRerun:
    async def test_r_on_a_failed_job_creates_its_rerun(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *FAILED_JOB, key="R")
            original = app.explorer.detail.resource
            name = form.query_one("#form-name").value
            assert name == f"{FAILED_JOB[3]}-rerun-1"
            assert form.query_one("#form-bucket").value == original.destination.bucket
            # The original window (5 h ago) is still inside the endpoint's startover window.
            assert form.spec is not None, form.errors
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, JobForm))
            job = service(sandbox).get_harvest_job(*FAILED_JOB[:3], name)
            assert job.schedule == original.schedule
            assert job.manifests == original.manifests
            assert job.destination.bucket == original.destination.bucket

    async def test_a_manifest_left_out_reads_as_unticked_without_colour(
        self, sandbox: Sandbox
    ) -> None:
        """The failed job harvested HLS only: its re-run form ticks HLS and leaves the
        other manifests blank, not an X told apart by colour alone."""
        from textual.widgets import Checkbox

        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *FAILED_JOB, key="R")
            await wait_for(pilot, lambda: len(form.query(Checkbox)) > 1)
            await pilot.pause()
            boxes = list(form.query(Checkbox))
            assert {box.value for box in boxes} == {True, False}
            for box in boxes:
                drawn = box.render().plain
                assert drawn.startswith("▐X▌" if box.value else "▐ ▌"), (box.value, drawn)

    async def test_a_queued_job_is_not_rerun(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *QUEUED_JOB)
            await pilot.press("R")
            await settle(pilot)
            assert not isinstance(app.screen, JobForm)
            assert any("re-runs a FAILED" in n.message for n in app._notifications)

    async def test_a_window_gone_from_startover_is_warned(self, sandbox: Sandbox) -> None:
        sandbox.clock.advance(hours=15 * 24)  # past the 14-day startover window
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            form = await open_form(pilot, *FAILED_JOB, key="R")
            assert "startover window" in widget_text(form, "#error-start")
            assert "left the endpoint's startover window" in widget_text(form, "#form-note")


class TestCancelOnProduction:
    async def test_typing_the_name_confirms(self, sandbox: Sandbox) -> None:
        active = sandbox_profile(sandbox, name="prod", production=True)
        app = make_app(sandbox, active=active, settings=STILL)
        async with app.run_test(size=(160, 40)) as pilot:
            job = (await open_path(pilot, *QUEUED_JOB)).data.resource
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = widget_text(app.screen, "#confirm-question")
            assert job.arn.split(":")[4] in question and "us-east-1" in question
            await pilot.press("y")  # no longer enough
            await pilot.press(*"nope", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "does not match" in widget_text(app.screen, "#confirm-mismatch")
            assert sandbox.request_counts["CancelHarvestJob"] == 0
            typed = app.screen.query_one("#confirm-typed")
            typed.value = ""
            await pilot.press(*QUEUED_JOB[3][-4:], "enter")
            await settle(pilot)
            assert sandbox.request_counts["CancelHarvestJob"] == 1
            assert str(app.explorer.detail.resource.status) == "CANCELLED"


class TestCopyMenu:
    async def test_c_then_s_copies_the_s3_uri(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            job = app.explorer.detail.resource
            await pilot.press("C")
            await wait_for(pilot, lambda: isinstance(app.screen, CopyMenu))
            await pilot.press("s")
            await wait_for(pilot, lambda: not isinstance(app.screen, CopyMenu))
            assert app.clipboard == job.destination.uri
            assert app.clipboard.startswith("s3://")

    async def test_the_policy_and_the_manifest_urls(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            await pilot.press("C", "p")
            await wait_for(pilot, lambda: "mediapackagev2.amazonaws.com" in app.clipboard)
            assert json.loads(app.clipboard)["Action"] == ["s3:PutObject", "s3:GetBucketLocation"]
            await pilot.press("C", "m")
            await wait_for(pilot, lambda: app.clipboard.startswith("http"))

    async def test_c_then_l_gives_a_working_get_harvest_job_command(self, sandbox: Sandbox) -> None:
        import os
        import shlex
        import shutil

        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            await pilot.press("C", "l")
            await wait_for(pilot, lambda: app.clipboard.startswith("aws mediapackagev2"))
            command = app.clipboard
        assert "--region us-east-1" in command
        assert f"--endpoint-url {sandbox.endpoint_url}" in command
        aws = os.environ.get("HARVEST_TUI_AWS_CLI") or shutil.which("aws")
        if not aws:
            pytest.skip("no AWS CLI")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="sandbox",
            AWS_SECRET_ACCESS_KEY="sandbox",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_PAGER="",
        )
        words = shlex.split(command)
        try:
            done = subprocess.run(
                [aws, *words[1:], "--output", "json"],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired):
            pytest.skip("the AWS CLI did not run")
        if (
            done.returncode != 0
            and "mediapackagev2" in done.stderr
            and "Invalid choice" in (done.stderr)
        ):
            pytest.skip("this AWS CLI has no mediapackagev2")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["HarvestJobName"] == FAILED_JOB[3]


class TestExplainer:
    async def test_a_failed_job_shows_the_explanation_and_the_policy(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(200, 60)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            banner = widget_text(app, "#detail-error")
            assert banner.startswith("✖ The job failed") or "The job failed" in banner
            assert "Access Denied" in banner and "What to do" in banner
            assert '"Principal": {"Service": "mediapackagev2.amazonaws.com"}' in banner
            assert "aws:SourceAccount" in banner and "aws:SourceArn" in banner
