"""The jobs table (J), driven by Pilot through the real app and service worker, on the
frozen sandbox; and the export's serialisation, pure."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pilotkit import add_jobs, explorer, make_app, open_path, plain, wait_for, widget_text
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from harvest_tui.export import default_filename, format_of, to_csv, to_jsonl
from harvest_tui.models import HarvestJob
from harvest_tui.sandbox import Sandbox
from harvest_tui.service import Connection, MediaPackageService
from harvest_tui.ui.screens.confirm_screen import ConfirmScreen
from harvest_tui.ui.screens.jobs_screen import JobsScreen
from harvest_tui.ui.widgets.jobs_table import JobsTable, row_key_of


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.chdir(tmp_path)  # the export's default file lands here


def truth(sandbox: Sandbox, group: str, **scope: str) -> list[HarvestJob]:
    """What ListHarvestJobs answers, every page, read by a service of the test's own."""
    service = MediaPackageService(Connection(region="us-east-1", endpoint_url=sandbox.endpoint_url))
    return [job for page in service.iter_harvest_job_pages(group, **scope) for job in page]  # type: ignore[arg-type]


def jobs_screen(pilot: Pilot[Any]) -> JobsScreen:
    screen = pilot.app.screen
    assert isinstance(screen, JobsScreen)
    return screen


async def open_jobs(pilot: Pilot[Any], *path: str) -> JobsTable:
    """Walk the tree to `path`, press J, and wait until every page is in."""
    await open_path(pilot, *path)
    await pilot.press("J")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, JobsScreen))
    screen = jobs_screen(pilot)
    await wait_for(pilot, lambda: not screen.table.reading and screen.progress.done)
    await pilot.pause()
    return screen.table


def text_of(app: Any, selector: str) -> str:
    """A widget's text on the screen on top."""
    return plain(app.screen.query_one(selector).content)


def names(table: JobsTable) -> list[str]:
    return [job.name for job in table.shown_jobs]


def notified(app: Any, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def export_to(pilot: Pilot[Any], path: str) -> None:
    """E, the file name typed over the default, Enter."""
    await pilot.press("E")
    box = pilot.app.screen.query_one("#jobs-export-path", Input)
    box.value = path
    await pilot.press("enter")


class TestListing:
    async def test_j_on_a_group_lists_every_job_newest_first(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            expected = truth(sandbox, "live-sports")
            assert len(table.jobs) == table.row_count == len(expected) > 10
            assert sorted(names(table)) == sorted(j.name for j in expected)
            created = [job.created_at for job in table.shown_jobs]
            assert created == sorted(created, reverse=True)
            bar = text_of(app, "#jobs-status-bar")
            assert f"{len(expected)} jobs" in bar and "created ▼" in bar
            # One page chain for the group: the channel and endpoint filters do not apply.
            assert {j.group_name for j in table.shown_jobs} == {"live-sports"}

    async def test_j_on_an_endpoint_uses_its_filters(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports", "football-main", "cmaf-main")
            expected = truth(sandbox, "live-sports", channel="football-main", endpoint="cmaf-main")
            assert sorted(names(table)) == sorted(j.name for j in expected)
            assert "live-sports / football-main / cmaf-main" in text_of(app, "#jobs-title")

    async def test_j_on_a_job_explains_instead(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, "live-sports", "football-main", "cmaf-main")
            await pilot.press("down")  # the endpoint's first job
            await pilot.press("J")
            await pilot.pause()
            assert pilot.app.screen is explorer(app)
            assert any("Select a channel group" in str(n.message) for n in app._notifications)

    async def test_paging_with_250_more_jobs(self, sandbox: Sandbox) -> None:
        add_jobs(sandbox, 260, prefix="bulk")
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            before = sandbox.request_counts["ListHarvestJobs"]
            table = await open_jobs(pilot, "events-popup")
            expected = truth(sandbox, "events-popup")
            assert len(expected) > 260
            assert table.row_count == len(expected)
            assert len(set(names(table))) == len(expected)  # nothing twice
            # Every page of the group's one chain was read (100 a page).
            assert sandbox.request_counts["ListHarvestJobs"] - before >= 3
            assert f"{len(expected):,} jobs" in text_of(app, "#jobs-status-bar")

    async def test_rows_show_as_each_page_arrives_through_the_worker(
        self, sandbox: Sandbox
    ) -> None:
        """README: loaded page by page, with a running count. Through the service worker the
        table showed nothing until the last page was in (a slow account looked empty)."""
        add_jobs(sandbox, 260, prefix="bulk")
        total = len(truth(sandbox, "events-popup"))
        app = make_app(sandbox)  # through the shared service worker, as harvest-tui runs
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, "events-popup")
            sandbox.faults.latency_ms = 800  # each page a while apart (and a loaded machine)
            await pilot.press("J")
            await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
            screen = jobs_screen(pilot)
            await wait_for(pilot, lambda: screen.table.row_count > 0, timeout=30)
            shown, done = screen.table.row_count, screen.progress.done
            assert not done and 0 < shown < total, (shown, total)
            assert "loaded…" in text_of(app, "#jobs-status-bar")
            sandbox.faults.latency_ms = 0
            await wait_for(pilot, lambda: screen.progress.done, timeout=30)
            assert screen.table.row_count == total


class TestSortAndFilter:
    async def test_sorting_by_a_column_and_reversing(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            await pilot.press("2")  # the job column, A to Z
            assert names(table) == sorted(names(table))
            assert "job ▲" in text_of(app, "#jobs-status-bar")
            await pilot.press("2")  # again: Z to A
            assert names(table) == sorted(names(table), reverse=True)
            await pilot.press("o")  # the next column: channel
            channels = [j.channel_name for j in table.shown_jobs]
            assert channels == sorted(channels)

    async def test_clicking_a_header_sorts(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(160, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            x = sum(c.get_render_width(table) for c in table.ordered_columns[:3]) + 2
            await pilot.click(JobsTable, offset=(x, 0))  # the fourth header: Endpoint
            endpoints = [j.endpoint_name for j in table.shown_jobs]
            assert table.sort_column == 3 and endpoints == sorted(endpoints)

    async def test_slash_filters_and_escape_clears(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            total = table.row_count
            await pilot.press("slash", *"TENNIS")
            await wait_for(pilot, lambda: table.text_filter == "TENNIS")
            shown = table.shown_jobs
            assert 0 < len(shown) < total
            assert all("tennis" in f"{j.name} {j.channel_name} {j.endpoint_name}" for j in shown)
            # While typing, the status bar counts the matches.
            match = f"{len(shown)} of {total} match"
            await wait_for(pilot, lambda: match in text_of(app, "#jobs-status-bar"))
            await pilot.press(*"-NOTHING")
            await wait_for(pilot, lambda: table.row_count == 0)
            await wait_for(pilot, lambda: "no job matches" in text_of(app, "#jobs-status-bar"))
            await pilot.press(*["backspace"] * len("-NOTHING"))
            await wait_for(pilot, lambda: table.row_count == len(shown))
            await pilot.press("enter")  # keeps the filter, hides the box
            # The status bar follows the focus leaving the box: wait for it, not a frame.
            await wait_for(pilot, lambda: '"TENNIS"' in text_of(app, "#jobs-status-bar"))
            assert not app.screen.query_one("#jobs-filter").display
            await pilot.press("slash")
            await wait_for(pilot, lambda: "Esc clears" in text_of(app, "#jobs-status-bar"))
            await pilot.press("escape")
            await wait_for(pilot, lambda: table.row_count == total)
            assert not app.screen.query_one("#jobs-filter").display
            assert pilot.app.screen is jobs_screen(pilot)  # esc closed the filter only

    async def test_status_picker_shows_only_failed(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "news-24x7")
            failed = [j for j in truth(sandbox, "news-24x7") if str(j.status) == "FAILED"]
            assert 0 < len(failed) < table.row_count
            await pilot.press("s")
            for _ in range(5):  # All, Active, QUEUED, IN_PROGRESS, COMPLETED, FAILED
                await pilot.press("down")
            await pilot.press("enter")
            await wait_for(pilot, lambda: "status FAILED" in text_of(app, "#jobs-status-bar"))
            assert sorted(names(table)) == sorted(j.name for j in failed)

    async def test_j_and_k_move_the_status_pickers_highlight(self, sandbox: Sandbox) -> None:
        """As ↓ and ↑ do, like everywhere else in the app (the fleet's picker is this one)."""
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            table = await open_jobs(pilot, "news-24x7")
            await pilot.press("s")
            picker = app.screen.query_one("#jobs-status-picker", OptionList)
            await wait_for(pilot, lambda: app.focused is picker)
            await pilot.press(*"jjjjjj")  # All … COMPLETED, FAILED, CANCELLED
            assert picker.highlighted == 6
            await pilot.press("k")
            assert picker.highlighted == 5
            await pilot.press("enter")
            await wait_for(pilot, lambda: "status FAILED" in text_of(app, "#jobs-status-bar"))
            assert {str(j.status) for j in table.shown_jobs} == {"FAILED"}


class TestDetailAndBack:
    async def test_unfinished_rows_follow_their_status(self, sandbox: Sandbox) -> None:
        """The table polls its own unfinished jobs: a row's status changes without its
        detail being opened or the table reloaded."""
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            screen = jobs_screen(pilot)
            unfinished = [key for key, job in table.jobs.items() if not job.finished]
            assert unfinished and not screen.detail.display

            def status_cell(key: tuple[str, ...]) -> str:
                return plain(table.get_cell(row_key_of(key), "status").text)

            before = {key: status_cell(key) for key in unfinished}
            assert all("COMPLETED" not in shown for shown in before.values())
            sandbox.clock.advance(hours=24)  # every active job has finished by then
            await wait_for(pilot, lambda: not screen.watched_jobs(), timeout=20)
            assert all(table.jobs[key].finished for key in unfinished)
            assert all(status_cell(key) != before[key] for key in unfinished)
            assert not screen.detail.display

    async def test_enter_shows_the_detail_and_escape_returns_to_the_tree(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            group = await open_path(pilot, "live-sports")
            tree = explorer(app).resource_tree
            await pilot.press("J")
            await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
            screen = jobs_screen(pilot)
            await wait_for(pilot, lambda: screen.progress.done)
            await pilot.press("down", "enter")
            job = screen.table.cursor_job
            assert job is not None and screen.detail.display
            await wait_for(pilot, lambda: not screen.busy)
            assert screen.detail.resource is not None
            assert screen.detail.resource.name == job.name
            assert job.name in text_of(app, "#jobs-detail #detail-title")
            await pilot.press("escape")  # closes the detail
            assert not screen.detail.display and app.screen is screen
            await pilot.press("escape")  # back to the tree, the cursor where it was
            assert app.screen is explorer(app)
            assert tree.cursor_node is group and tree.has_focus


class TestExport:
    async def test_a_list_that_did_not_load_is_not_exported(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """An empty file would read as "no jobs": E says why it writes nothing instead."""
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, "news-24x7")
            sandbox.faults.deny_groups = {"news-24x7"}
            await pilot.press("J")
            await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
            screen = jobs_screen(pilot)
            await wait_for(pilot, lambda: screen.table.error is not None)
            await pilot.press("E")
            await pilot.pause()
            assert not screen.query_one("#jobs-export-path", Input).display
            assert notified(app, "Not exported: the list did not load (AccessDeniedException)")
        assert list(tmp_path.iterdir()) == []

    async def test_e_writes_a_csv_of_the_rows_shown(self, sandbox: Sandbox, tmp_path: Path) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            await pilot.press("s", "down", "enter")  # Active
            shown = names(table)
            await pilot.press("E")
            box = app.screen.query_one("#jobs-export-path")
            expected_name = default_filename("live-sports", sandbox.clock.now())
            assert box.value == expected_name  # type: ignore[attr-defined]
            await pilot.press("enter")
            path = tmp_path / expected_name
            await wait_for(pilot, lambda: path.exists())
            with path.open(newline="") as f:
                rows = list(csv.DictReader(f))
            assert [r["HarvestJobName"] for r in rows] == shown
            assert {r["Status"] for r in rows} <= {"QUEUED", "IN_PROGRESS"}
            assert os.stat(path).st_mode & 0o777 == 0o600
            await wait_for(
                pilot, lambda: any("Exported" in str(n.message) for n in app._notifications)
            )

    async def test_e_refuses_a_symlink(self, sandbox: Sandbox, tmp_path: Path) -> None:
        target = tmp_path / "elsewhere.csv"
        target.write_text("keep me\n")
        (tmp_path / "link.csv").symlink_to(target)
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_jobs(pilot, "live-sports")
            await pilot.press("E")
            box = app.screen.query_one("#jobs-export-path")
            box.value = "link.csv"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: any("Not exported" in str(n.message) for n in app._notifications)
            )
            assert target.read_text() == "keep me\n"
            assert (tmp_path / "link.csv").is_symlink()

    async def test_e_asks_before_replacing_a_file_and_yes_replaces_it(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        path = tmp_path / "precious.csv"
        path.write_text("precious\n")
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            table = await open_jobs(pilot, "live-sports")
            await export_to(pilot, str(path))
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            question = widget_text(app.screen, "#confirm-question")
            assert "Replace" in question and str(path) in question
            assert path.read_text() == "precious\n"  # nothing written while it asks
            await pilot.press("y")
            await wait_for(pilot, lambda: notified(app, "Exported"))
            with path.open(newline="") as f:
                rows = list(csv.DictReader(f))
            assert [r["HarvestJobName"] for r in rows] == names(table)
            assert os.stat(path).st_mode & 0o777 == 0o600

    @pytest.mark.parametrize("key", ["n", "escape"])
    async def test_e_declined_leaves_the_file_untouched(
        self, sandbox: Sandbox, tmp_path: Path, key: str
    ) -> None:
        path = tmp_path / "precious.csv"
        path.write_bytes(b"precious\r\n\x00")
        path.chmod(0o644)
        before = path.stat()
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_jobs(pilot, "live-sports")
            screen = jobs_screen(pilot)
            await export_to(pilot, str(path))
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press(key)
            await wait_for(pilot, lambda: notified(app, "nothing written"))
            assert app.screen is screen
            await wait_for(pilot, lambda: not screen.busy)
            assert not notified(app, "Exported")
        assert path.read_bytes() == b"precious\r\n\x00"
        after = path.stat()
        assert (after.st_ino, after.st_mode, after.st_mtime_ns) == (
            before.st_ino,
            before.st_mode,
            before.st_mtime_ns,
        )
        assert [p.name for p in tmp_path.iterdir()] == ["precious.csv"]

    async def test_e_into_a_missing_directory_says_so_and_creates_nothing(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        missing = tmp_path / "nonexistent" / "dir"
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_jobs(pilot, "live-sports")
            await export_to(pilot, str(missing / "x.csv"))
            await wait_for(pilot, lambda: notified(app, "Not exported"))
            message = next(str(n.message) for n in app._notifications if "Not" in n.message)
            assert f"no directory {missing}" in message and "create it first" in message
        assert not (tmp_path / "nonexistent").exists()


class TestExportFormat:
    def test_csv_and_jsonl(self, sandbox: Sandbox) -> None:
        jobs = truth(sandbox, "news-24x7")
        rows = list(csv.DictReader(io.StringIO(to_csv(jobs))))
        assert [r["Arn"] for r in rows] == [j.arn for j in jobs]
        assert rows[0]["CreatedAt"].endswith("+00:00")
        lines = [json.loads(line) for line in to_jsonl(jobs).splitlines()]
        assert lines == [j.to_json_dict() for j in jobs]

    def test_fleet_rows_carry_their_profile_and_region(self, sandbox: Sandbox) -> None:
        """As `jobs list` writes jobs of several profiles or regions: Profile and Region
        lead each CSV row and join each JSON line; a job of one scope has neither."""
        from harvest_tui.fleet import FleetJob, FleetTarget
        from harvest_tui.profiles import Profile

        jobs = truth(sandbox, "news-24x7")[:2]
        green = FleetTarget(Profile("green", regions=("eu-west-1",)), "eu-west-1")
        fleet = [FleetJob.found(job, green) for job in jobs]
        reader = csv.DictReader(io.StringIO(to_csv(fleet)))
        assert reader.fieldnames is not None and reader.fieldnames[:3] == [
            "Profile",
            "Region",
            "Arn",
        ]
        rows = list(reader)
        assert [(r["Profile"], r["Region"], r["Arn"]) for r in rows] == [
            ("green", "eu-west-1", j.arn) for j in jobs
        ]
        lines = [json.loads(line) for line in to_jsonl(fleet).splitlines()]
        assert [(x["Profile"], x["Region"]) for x in lines] == [("green", "eu-west-1")] * 2
        assert "Profile" not in next(csv.DictReader(io.StringIO(to_csv(jobs))))
        assert "Profile" not in json.loads(to_jsonl(jobs).splitlines()[0])

    def test_formula_cells_are_neutralised_in_csv_only(self, sandbox: Sandbox) -> None:
        from dataclasses import replace

        job = replace(truth(sandbox, "news-24x7")[0], description="=HYPERLINK(1)")
        assert next(csv.DictReader(io.StringIO(to_csv([job]))))["Description"] == "'=HYPERLINK(1)"
        assert json.loads(to_jsonl([job]))["Description"] == "=HYPERLINK(1)"

    def test_names(self) -> None:
        now = datetime(2026, 11, 2, 14, 30, 5, tzinfo=UTC)
        assert (
            default_filename("live-sports", now) == "harvest-jobs-live-sports-20261102-143005.csv"
        )
        assert default_filename("../x/\x1b", now) == "harvest-jobs-x-20261102-143005.csv"
        assert format_of("a.CSV") == "csv" and format_of("a.jsonl") == "jsonl"
        assert format_of("a.json") is None and format_of("a") is None
