"""The fleet view (F): every job of every profile and region, driven by Pilot through the
real app and a service worker against one sandbox serving three accounts (one access
key each); and the fleet's pure parts (grouping, targets)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pilotkit import (
    FAST_RETRY,
    PtyApp,
    explorer,
    own_worker,
    plain,
    shared_worker,
    terminal,
    wait_for,
)
from textual.pilot import Pilot
from textual.widgets import Input

from harvest_tui.backend import Backend
from harvest_tui.config import Config, Profile, Settings, resolve_profile
from harvest_tui.fleet import (
    FleetJob,
    FleetTarget,
    TargetResult,
    account_of,
    fleet_rank,
    fleet_targets,
    load_fleet,
)
from harvest_tui.models import HarvestJob, JobStatus
from harvest_tui.sandbox import ACCOUNT_ID, DEMO_NOW, Sandbox
from harvest_tui.service import Connection, MediaPackageService
from harvest_tui.ui.app import HarvestApp
from harvest_tui.ui.builder import build_app
from harvest_tui.ui.screens.fleet_screen import FleetScreen
from harvest_tui.worker.client import ServiceWorker, WorkerBackend
from harvest_tui.worker.pool import fleet_worker_count

KEYS = {"blue": "AKIDBLUE222233334444", "green": "AKIDGREEN555566667777", "demo": "sandbox"}
ACCOUNTS = {"blue": "222233334444", "green": "555566667777", "demo": ACCOUNT_ID}
REGIONS = ("us-east-1", "eu-west-1")
# One worker: each test's fleet is small, and a worker started per test costs the suite
# CPU; test_calls_are_spread_over_workers_that_end_with_the_app has its own.
SETTINGS = Settings(
    poll_interval_seconds=0.2, poll_max_interval_seconds=0.5, bell=False, fleet_workers=1
)


def fleet_config(sandbox: Sandbox, *, broken: bool = False) -> Config:
    """Three profiles × two regions on one sandbox; `broken`: and one whose AWS profile
    does not exist."""
    profiles = {
        name: Profile(
            name, aws_profile=f"{name}-acct", regions=REGIONS, endpoint_url=sandbox.endpoint_url
        )
        for name in KEYS
    }
    if broken:
        profiles["lost"] = Profile(
            "lost",
            aws_profile="no-such-profile",
            regions=("us-east-1",),
            endpoint_url=sandbox.endpoint_url,
        )
    return Config(path=None, default_profile="blue", profiles=profiles, settings=SETTINGS)


@pytest.fixture(scope="module")
def fleet_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceWorker]:
    """A worker that reads a credentials file naming the three accounts' keys: one for the
    module (each test has its own sandbox)."""
    lines = []
    for name, key in KEYS.items():
        lines += [f"[{name}-acct]", f"aws_access_key_id = {key}", "aws_secret_access_key = x", ""]
    credentials = tmp_path_factory.mktemp("fleet") / "credentials"
    credentials.write_text("\n".join(lines))
    # The environment stays for the module: the fleet starts more workers as it first
    # loads (worker.pool.WorkerPool), and each reads it as it starts.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
        env.delenv("AWS_ACCESS_KEY_ID", raising=False)
        env.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
        with own_worker() as worker:
            yield worker


def fleet_app(
    sandbox: Sandbox, worker: ServiceWorker, settings: Settings = SETTINGS, **config: Any
) -> HarvestApp:
    """The app as `harvest-tui` builds it for a config whose profiles name the sandbox as
    their endpoint (not `--sandbox`, whose fixed key would make every profile the demo
    account)."""
    cfg = fleet_config(sandbox, **config)
    active = resolve_profile(cfg, profile=None, region=None, endpoint_url=None, environ={})
    return build_app(
        active,
        worker=worker,
        config=cfg,
        settings=settings,
        clock=sandbox.clock.now,
        retry=FAST_RETRY,
    )


async def open_fleet(pilot: Pilot[Any]) -> FleetScreen:
    await pilot.press("F")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FleetScreen))
    screen = pilot.app.screen
    assert isinstance(screen, FleetScreen)
    table = screen.fleet
    await wait_for(
        pilot,
        lambda: (
            len(table.results) == len(table.targets) and not table.reading and not table.pending
        ),
        timeout=30,
    )
    await pilot.pause()
    return screen


@contextlib.asynccontextmanager
async def fleet_open(
    sandbox: Sandbox, worker: ServiceWorker, size: tuple[int, int] = (160, 40), **config: Any
) -> AsyncIterator[tuple[Pilot[Any], FleetScreen]]:
    """The app on the fleet config, F pressed, every target loaded."""
    app = fleet_app(sandbox, worker, **config)
    async with app.run_test(size=size) as pilot:
        yield pilot, await open_fleet(pilot)


def notices(pilot: Pilot[Any]) -> list[Any]:
    return list(pilot.app._notifications)


def expected_jobs(sandbox: Sandbox) -> set[tuple[str, str, str]]:
    """(account, region, job name) of every job the sandbox holds for the three accounts."""
    out = set()
    for account in ACCOUNTS.values():
        for region in REGIONS:
            store = sandbox.store_for(account, region)
            out |= {(account, region, job.name) for job in store.all_jobs()}
    return out


class TestFleet:
    async def test_f_lists_every_account_and_region(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker) as (_pilot, screen):
            jobs = [j for j in screen.fleet.jobs.values() if isinstance(j, FleetJob)]
            seen = {(j.account, j.aws_region, j.name) for j in jobs}
            assert seen == expected_jobs(sandbox)
            assert {j.account for j in jobs} == set(ACCOUNTS.values())
            assert {j.aws_region for j in jobs} == set(REGIONS)
            assert {j.profile_name for j in jobs} == set(KEYS)
            assert all(j.account == ACCOUNTS[j.profile_name] for j in jobs)
            title = plain(screen.query_one("#jobs-title").content)
            assert "6 profile-regions" in title and "failed" not in title

    async def test_rows_group_failed_then_active_then_the_rest(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker) as (_pilot, screen):
            shown = screen.fleet.shown_jobs
            ranks = [fleet_rank(j, DEMO_NOW) for j in shown]
            assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2}
            for rank in set(ranks):
                created = [j.created_at for j, r in zip(shown, ranks, strict=True) if r == rank]
                assert created == sorted(created, reverse=True)
            bar = plain(screen.query_one("#jobs-status-bar").content)
            assert "failed (24 h), active, the rest" in bar

    async def test_a_failing_profile_shows_its_error_and_the_rest_loads(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker, broken=True) as (_pilot, screen):
            title = plain(screen.query_one("#jobs-title").content)
            # Said so that it cannot be read as a count of FAILED jobs.
            heading = title.splitlines()[0]
            assert heading.endswith("7 profile-regions, 1 could not be loaded")
            assert "failed" not in heading
            line = next(line for line in title.splitlines() if "lost" in line)
            assert "✗ lost · us-east-1: ProfileNotFound" in line and "aws configure" in line
            failure = screen.fleet.failures[0]
            assert failure.error is not None and failure.error.hint
            seen = {
                (j.account, j.aws_region, j.name)
                for j in screen.fleet.jobs.values()
                if isinstance(j, FleetJob)
            }
            assert seen == expected_jobs(sandbox)

    async def test_a_denied_profile_is_not_told_to_switch_profile(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        """The fleet shows every profile at once: a hint to pick another one (p, --profile)
        has no place there; the rest of the hint stays."""
        sandbox.faults.deny_accounts.add(ACCOUNTS["green"])
        async with fleet_open(sandbox, fleet_worker, broken=True) as (_pilot, screen):
            title = plain(screen.query_one("#jobs-title").content)
            denied = [line for line in title.splitlines() if line.startswith("✗ green")]
            assert len(denied) == len(REGIONS)
            for line in denied:
                assert "AccessDeniedException" in line and "check the IAM policy" in line
                assert "switch profile" not in line
            lost = next(line for line in title.splitlines() if line.startswith("✗ lost"))
            assert "aws configure list-profiles" in lost and "--profile" not in lost

    @pytest.mark.parametrize("width", [80, 160])
    async def test_job_names_give_way_to_profile_account_and_region(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker, width: int
    ) -> None:
        """At 80 columns the job column narrows so that profile, account and region stay on
        screen, a long name cut in its middle (its date suffix kept); at 160, names whole."""
        async with fleet_open(sandbox, fleet_worker, size=(width, 24)) as (pilot, screen):
            await pilot.pause()
            _, text = terminal(pilot.app)
            lines = text.splitlines()
            header = next(line for line in lines if "Status" in line and "Job" in line)
            assert "Profile" in header and "Account" in header and "Region" in header
            longest = max((j.name for j in screen.fleet.shown_jobs[:10]), key=len)
            row = next(line for line in lines if longest[:8] in line and longest[-8:] in line)
            assert (longest in row) == (width == 160), row
            assert ("…" in row) == (width == 80), row
            assert "us-east-1" in row or "eu-west-1" in row, row

    async def test_shift_arrows_scroll_a_column_at_a_time(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker, size=(80, 24)) as (pilot, screen):
            table = screen.fleet
            profile = table.columns["profile"].get_render_width(table)  # type: ignore[index]
            await pilot.press("shift+right")
            await pilot.pause()
            assert table.scroll_x == profile > 1  # the profile's column is past, whole
            _, text = terminal(pilot.app)
            header = next(line for line in text.splitlines() if "Status" in line)
            assert "Profile" not in header and "Account" in header
            await pilot.press("shift+right", "shift+left")
            await pilot.pause()
            assert table.scroll_x == profile
            await pilot.press("shift+left")
            await pilot.pause()
            assert table.scroll_x == 0

    async def test_export_names_profile_and_region_and_what_is_left_out(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker, tmp_path: Path
    ) -> None:
        async with fleet_open(sandbox, fleet_worker, broken=True) as (pilot, screen):
            await pilot.press("E")
            box = screen.query_one("#jobs-export-path", Input)
            box.value = str(tmp_path / "fleet.csv")
            await pilot.press("enter")
            await wait_for(pilot, lambda: (tmp_path / "fleet.csv").exists())
            await wait_for(pilot, lambda: any("Exported" in n.message for n in notices(pilot)))
            (note,) = [n.message for n in notices(pilot) if "Exported" in n.message]
            assert "(not the jobs of lost · us-east-1: they could not be loaded)" in note
        rows = list(csv.DictReader(io.StringIO((tmp_path / "fleet.csv").read_text())))
        assert {(r["Profile"], r["Region"]) for r in rows} == {
            (name, region) for name in KEYS for region in REGIONS
        }

    async def test_filters_search_profile_and_account_too(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker) as (pilot, screen):
            screen.fleet.set_filters(text=ACCOUNTS["green"])
            await pilot.pause()
            shown = screen.fleet.shown_jobs
            assert shown and all(
                isinstance(j, FleetJob) and j.profile_name == "green" for j in shown
            )
            screen.fleet.set_filters(text="", status="FAILED")
            await pilot.pause()
            statuses = {str(j.status) for j in screen.fleet.shown_jobs}
            assert statuses == {"FAILED"}

    async def test_enter_opens_the_job_in_the_explorer_on_its_profile_and_region(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker) as (pilot, screen):
            table = screen.fleet
            row = next(
                i
                for i, j in enumerate(table.shown_jobs)
                if isinstance(j, FleetJob)
                and j.profile_name == "green"
                and j.aws_region == "eu-west-1"
            )
            table.move_cursor(row=row)
            job = table.cursor_job
            assert isinstance(job, FleetJob)
            await pilot.press("enter")
            app = pilot.app
            assert isinstance(app, HarvestApp)
            view = explorer(app)
            await wait_for(pilot, lambda: app.screen is view)
            await wait_for(
                pilot,
                lambda: (
                    isinstance(view.detail.resource, HarvestJob)
                    and view.detail.resource.name == job.name
                ),
                timeout=20,
            )
            assert app.active.name == "green" and app.active.regions == ("eu-west-1",)
            assert view.detail.resource.arn == job.arn

    async def test_r_reloads_every_target(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker) as (pilot, screen):
            store = sandbox.store_for(ACCOUNTS["blue"], "eu-west-1")
            channel = next(iter(store.channel_group("eu-broadcast").channels.values()))
            endpoint = next(iter(channel.endpoints))
            store.add_harvest_job(
                "eu-broadcast", channel.name, endpoint, "added-after-the-first-load",
                start=DEMO_NOW - timedelta(hours=3), end=DEMO_NOW - timedelta(hours=2),
                bucket="acme-media-archive-eu", path="x/", created_at=DEMO_NOW,
            )  # fmt: skip
            table = screen.fleet
            first = table.results  # each load starts a new record of the targets' ends
            await pilot.press("r")
            await wait_for(
                pilot,
                lambda: (
                    table.results is not first
                    and len(table.results) == len(table.targets)
                    and not table.reading
                    and not table.pending
                ),
                timeout=30,
            )
            added = [j for j in table.jobs.values() if j.name == "added-after-the-first-load"]
            assert [(j.profile_name, j.aws_region) for j in added if isinstance(j, FleetJob)] == [
                ("blue", "eu-west-1")
            ]

    async def test_active_jobs_keep_being_polled(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker
    ) -> None:
        async with fleet_open(sandbox, fleet_worker) as (pilot, screen):
            watched = screen.watched_jobs()
            assert watched and all(not j.finished for j in watched.values())
            table = screen.fleet
            updated: list[str] = []
            update_cell = table.update_cell

            def counted(row: Any, column: Any, value: Any, **kw: Any) -> None:
                updated.append(str(column))
                update_cell(row, column, value, **kw)

            table.update_cell = counted  # type: ignore[method-assign]
            polls = screen.watcher.polls
            await wait_for(pilot, lambda: screen.watcher.polls > polls + len(watched), timeout=20)
            # The same state again: no cell is redrawn (update_cell redraws every row).
            assert updated == []
            sandbox.clock.advance(hours=24)  # every active job has finished by then
            await wait_for(pilot, lambda: not screen.watched_jobs(), timeout=20)
            assert "status" in updated

    async def test_calls_are_spread_over_workers_that_end_with_the_app(
        self, sandbox: Sandbox, fleet_worker: ServiceWorker, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Profile-regions take the fleet's workers in turn: the app's own, then those it
        starts as the fleet first loads (one per core), which end as the app does."""
        monkeypatch.setattr(os, "cpu_count", lambda: 3)
        app = fleet_app(sandbox, fleet_worker, settings=replace(SETTINGS, fleet_workers=4))
        async with app.run_test(size=(160, 40)) as pilot:
            screen = await open_fleet(pilot)
            workers = [getattr(backend, "worker", None) for _, backend in screen.fleet.targets]
            pool = list(dict.fromkeys(workers))
            assert pool[0] is fleet_worker and len(pool) == 3 == fleet_worker_count(4)
            assert workers == pool * 2  # 3 profiles × 2 regions, in turn
            started = [w for w in pool if isinstance(w, ServiceWorker) and w is not fleet_worker]
            assert all(w.proc.poll() is None for w in started)
            results = screen.fleet.results.values()
            assert len(results) == 6 and all(r.error is None and r.jobs > 0 for r in results)
        for w in started:
            assert w.proc.wait(10) is not None
        assert fleet_worker.alive


@pytest.mark.parametrize("through", ["worker", "in-process"])
def test_load_fleet_reads_each_group_once_either_way(sandbox: Sandbox, through: str) -> None:
    """load_fleet through the worker (each target's chains sent at once, no thread each)
    and in this process (the chains on threads): every job, one chain per group."""
    profile = Profile("blue", regions=REGIONS, endpoint_url=sandbox.endpoint_url)
    targets: list[tuple[FleetTarget, Backend]] = []
    for region in REGIONS:
        connection = Connection(
            region=region,
            endpoint_url=sandbox.endpoint_url,
            static_credentials=(KEYS["blue"], "x"),
            retry=FAST_RETRY,
        )
        backend: Backend = (
            WorkerBackend(connection, shared_worker())
            if through == "worker"
            else MediaPackageService(connection)
        )
        targets.append((FleetTarget(profile, region), backend))
    jobs: list[FleetJob] = []
    results: list[TargetResult] = []
    sandbox.reset_requests()
    load_fleet(
        targets, concurrency=2, on_jobs=lambda _, page: jobs.extend(page), on_done=results.append
    )
    assert len(results) == 2 and all(r.error is None and r.jobs > 0 for r in results), [
        (r.target.region, r.jobs, r.error and r.error.title) for r in results
    ]
    account = ACCOUNTS["blue"]
    stores = {region: sandbox.store_for(account, region) for region in REGIONS}
    assert sorted((j.aws_region, j.name) for j in jobs) == sorted(
        (region, job.name) for region, store in stores.items() for job in store.all_jobs()
    )
    groups = sum(len(store.groups) for store in stores.values())
    counts = dict(sandbox.request_counts)
    assert counts == {"ListChannelGroups": 2, "ListHarvestJobs": groups}, [
        f"{operation} {params.get('ChannelGroupName', '')}"
        for operation, params in sandbox.requests
    ]


def test_fleet_flag_opens_the_fleet_at_start(sandbox: Sandbox) -> None:
    """`harvest-tui --fleet`: the real command in a terminal opens on the fleet view."""
    with PtyApp(sandbox, size=(120, 30), args=("--fleet",)) as app:
        app.wait_for(b"1 profile-region", seconds=60)
        app.wait_for(b"cup-final-highlights", seconds=30)


class TestSnapshot:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_fleet_view(
        self,
        snap_compare: Any,
        sandbox: Sandbox,
        fleet_worker: ServiceWorker,
        size: tuple[int, int],
    ) -> None:
        """Three accounts × two regions and a profile that fails: failed jobs first."""
        still = replace(SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)
        app = fleet_app(sandbox, fleet_worker, settings=still, broken=True)

        async def open_it(pilot: Pilot[Any]) -> None:
            await open_fleet(pilot)

        assert snap_compare(app, terminal_size=size, run_before=open_it)


class TestPure:
    def test_ranks(self) -> None:
        def job(status: JobStatus, age: timedelta) -> HarvestJob:
            from harvest_tui.models import Destination, HarvestedManifests, Schedule

            at = DEMO_NOW - age
            return HarvestJob(
                "g", "c", "e", "n", "arn:aws:mediapackagev2:us-east-1:123456789012:x", status,
                Destination("b", "p/"), HarvestedManifests(), Schedule(at, at), at, at,
            )  # fmt: skip

        assert fleet_rank(job(JobStatus.FAILED, timedelta(hours=23)), DEMO_NOW) == 0
        assert fleet_rank(job(JobStatus.FAILED, timedelta(hours=25)), DEMO_NOW) == 2
        assert fleet_rank(job(JobStatus.IN_PROGRESS, timedelta(days=3)), DEMO_NOW) == 1
        assert fleet_rank(job(JobStatus.COMPLETED, timedelta(0)), DEMO_NOW) == 2

    def test_targets_once_each_in_order(self) -> None:
        a, b = Profile("a", regions=("r1", "r2")), Profile("b")
        targets = fleet_targets([(a, "r1"), (a, "r2"), (b, ""), (a, "r1")])
        assert [(t.profile.name, t.region_label) for t in targets] == [
            ("a", "r1"), ("a", "r2"), ("b", "default region"),
        ]  # fmt: skip
        assert isinstance(targets[0], FleetTarget)

    def test_account_of(self) -> None:
        assert (
            account_of("arn:aws:mediapackagev2:eu-west-1:222233334444:channelGroup/x")
            == "222233334444"
        )
        assert account_of("not an arn") == ""
