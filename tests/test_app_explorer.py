"""The explorer, driven by Pilot against the sandbox on a frozen clock.

One class per behaviour: lazy loading and paging, the detail pane, the refresh
after GetHarvestJob, polling, copy, profile switching, errors on a node, help.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pilotkit import (
    FAST_RETRY,
    TEST_SETTINGS,
    add_jobs,
    child,
    labels,
    make_app,
    open_path,
    own_worker,
    sandbox_profile,
    settle,
    terminal,
    wait_for,
    widget_text,
)

from harvest_tui.config import Config, Profile
from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox
from harvest_tui.sandbox.records import ACCOUNT_ID
from harvest_tui.ui.app import HarvestApp
from harvest_tui.ui.builder import build_app
from harvest_tui.ui.screens.confirm_screen import ConfirmScreen
from harvest_tui.ui.screens.help_screen import HelpScreen
from harvest_tui.ui.screens.profile_picker import ProfilePicker

FAILED_JOB = ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold")
RUNNING_JOB = ("live-sports", "football-main", "cmaf-main", "cup-final-full-match")
QUEUED_JOB = ("live-sports", "football-main", "cmaf-main", "cup-final-highlights")


class TestLazyLoading:
    async def test_top_level_lists_groups_sorted_and_nothing_more(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert [n.data.name for n in app.explorer.resource_tree.root.children] == [
                "events-popup",
                "live-sports",
                "news-24x7",
            ]
            # Only the first level, the detail of the highlighted group and, as the cursor
            # rests on it, its channels (prefetched, not shown: it stays collapsed).
            assert sandbox.request_counts["ListChannelGroups"] == 1
            assert sandbox.request_counts["ListChannels"] == 1
            assert not app.explorer.resource_tree.root.children[0].is_expanded

    async def test_expanding_shows_loading_then_children(self, sandbox: Sandbox) -> None:
        sandbox.faults.latency_ms = 300
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            group = child(app.explorer.resource_tree.root, "live-sports")
            app.explorer.resource_tree.move_cursor(group)
            sandbox.faults.latency_ms = 1000  # the answer cannot beat the check below
            await pilot.press("enter")
            await wait_for(pilot, lambda: labels(group) == ["Loading…"])
            sandbox.faults.latency_ms = 0
            await settle(pilot)
            assert [c.data.name for c in group.children] == [
                "football-alt-audio",
                "football-main",
                "motorsport",
                "tennis-centre-court",
            ]

    async def test_every_page_is_read(self, sandbox: Sandbox) -> None:
        add_jobs(sandbox, 250, prefix="bulk")
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            endpoint = await open_path(pilot, "events-popup", "keynote-live", "hls-ts")
            names = [c.data.name for c in endpoint.children]
            assert len([n for n in names if n.startswith("bulk-")]) == 250
            created = [c.data.resource.created_at for c in endpoint.children]
            assert created == sorted(created, reverse=True)  # newest first: job_order
            # One page chain for the channel: 250+ jobs at 100 a page.
            assert sandbox.request_counts["ListHarvestJobs"] >= 3
            assert "no jobs" not in str(endpoint.label)

    async def test_endpoint_shows_counts_by_status(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            channel = await open_path(pilot, "live-sports", "football-main")
            endpoint = child(channel, "cmaf-main")
            jobs = [
                j
                for j in sandbox.client().list_harvest_jobs(
                    ChannelGroupName="live-sports",
                    ChannelName="football-main",
                    OriginEndpointName="cmaf-main",
                )["Items"]
            ]
            queued = sum(1 for j in jobs if j["Status"] == "QUEUED")
            assert f"◷{queued}" in str(endpoint.label)
            # Expanding the endpoint sends no request of its own: the channel's list serves.
            before = sandbox.request_counts["ListHarvestJobs"]
            endpoint.expand()
            await settle(pilot)
            assert sandbox.request_counts["ListHarvestJobs"] == before
            assert len(endpoint.children) == len(jobs)

    async def test_keyboard_walk_to_a_job(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            # events-popup ▸ concert-stage-a ▸ cmaf-main ▸ first job, arrows and l only.
            for key in ("l", "l", "l", "l", "l", "l", "l"):
                await pilot.press(key)
                await settle(pilot)
            node = app.explorer.resource_tree.cursor_node
            assert node is not None and node.data.kind == "job"
            await pilot.press("h")
            assert app.explorer.resource_tree.cursor_node.data.kind == "endpoint"
            await pilot.press("h")  # collapse
            assert not app.explorer.resource_tree.cursor_node.is_expanded
            await pilot.press("k")
            assert app.explorer.resource_tree.cursor_node.data.kind in ("endpoint", "channel")


class TestDetail:
    async def test_the_detail_follows_the_cursor_in_the_same_frame(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            first = app.explorer.detail.resource
            assert first.name == app.explorer.resource_tree.cursor_node.data.name == "events-popup"
            # No message needs handling before the next frame:
            app.explorer.resource_tree.action_cursor_down()
            assert (
                app.explorer.detail.resource is app.explorer.resource_tree.cursor_node.data.resource
            )
            assert app.explorer.detail.resource is not first
            assert "live-sports" in widget_text(app, "#detail-title")

    async def test_failed_job_shows_every_field(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(200, 60)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            raw = sandbox.client().get_harvest_job(
                ChannelGroupName=FAILED_JOB[0],
                ChannelName=FAILED_JOB[1],
                OriginEndpointName=FAILED_JOB[2],
                HarvestJobName=FAILED_JOB[3],
            )
            fields = widget_text(app, "#detail-fields")
            banner = widget_text(app, "#detail-error")
            assert "The job failed" in banner
            assert raw["ErrorMessage"][:40] in banner.replace("\n", " ")
            dest = raw["Destination"]["S3Destination"]
            for expected in (
                raw["Arn"],
                "FAILED",
                FAILED_JOB[0],
                FAILED_JOB[1],
                FAILED_JOB[2],
                f"s3://{dest['BucketName']}/{dest['DestinationPath'].lstrip('/')}",
                raw["ETag"],
                "Duration",
                "UTC",
                " ago)",
            ):
                assert expected in fields, expected
            for key, value in raw["Tags"].items():
                assert f"{key} = {value}" in fields
            for kind, key in (("HLS", "HlsManifests"), ("DASH", "DashManifests")):
                for m in raw["HarvestedManifests"].get(key, []):
                    assert m["ManifestName"] in fields and kind in fields
            timeline = app.explorer.detail.query_one("#detail-timeline")
            assert timeline.display and timeline.timeline is not None

    async def test_other_levels_show_their_get(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(200, 60)) as pilot:
            await open_path(pilot, "live-sports")
            group = sandbox.client().get_channel_group(ChannelGroupName="live-sports")
            fields = widget_text(app, "#detail-fields")
            assert group["EgressDomain"] in fields
            assert group["Arn"] in fields
            await open_path(pilot, "live-sports", "football-main", "cmaf-main")
            fields = widget_text(app, "#detail-fields")
            assert "CMAF" in fields and "Manifests" in fields

    async def test_toggle_local_time(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(200, 60)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            assert "UTC" in widget_text(app, "#detail-fields")
            await pilot.press("t")
            assert app.local_time
            assert "local time" in str(app.explorer.header.content)


class TestRefreshAfterGet:
    async def test_get_fills_tags_and_refreshes_status_and_etag(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(200, 60)) as pilot:
            channel = await open_path(pilot, *QUEUED_JOB[:2])
            endpoint = child(channel, QUEUED_JOB[2])
            endpoint.expand()
            await settle(pilot)
            node = child(endpoint, QUEUED_JOB[3])
            listed = node.data.resource
            assert str(listed.status) == "QUEUED" and listed.tags is None
            # Time passes between the list and the Get: the job has started meanwhile.
            sandbox.clock.advance(hours=1)
            app.explorer.resource_tree.move_cursor(node)
            await settle(pilot)
            shown = app.explorer.detail.resource
            assert shown.tags is not None and len(shown.tags) > 0
            assert str(shown.status) != "QUEUED"
            assert shown.etag != listed.etag
            assert "Last refreshed" in widget_text(app, "#detail-freshness")
            # The tree follows the fresher state too.
            assert str(node.data.resource.status) == str(shown.status)


class TestPolling:
    async def test_watched_job_transition_is_seen_and_announced(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(200, 60)) as pilot:
            job_node = await open_path(pilot, *RUNNING_JOB)
            assert str(job_node.data.resource.status) == "IN_PROGRESS"
            sandbox.clock.advance(hours=6)
            await wait_for(pilot, lambda: job_node.data.resource.finished, timeout=10)
            assert str(job_node.data.resource.status) == "COMPLETED"
            # The toast comes as a message of its own (App.notify posts it): wait for it.
            announced = "cup-final-full-match finished: COMPLETED"
            await wait_for(pilot, lambda: any(announced in n.message for n in app._notifications))
            assert app.bells_rung == 1
            observed = app.explorer.history.of("us-east-1", job_node.data.resource.key)
            assert [o.status for o in observed] == ["IN_PROGRESS", "COMPLETED"]  # seen, then
            assert observed[-1].seen_at == sandbox.clock.now()
            assert "COMPLETED" in str(job_node.label) or "✔" in str(job_node.label)

    async def test_polling_backs_off_while_nothing_changes(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)  # polls every 0.2 s, backing off to 0.5 s
        async with app.run_test(size=(200, 60)) as pilot:
            job_node = await open_path(pilot, *RUNNING_JOB)
            key = ("us-east-1", job_node.data.resource.key)
            watcher = app.explorer.watcher
            # 0.2 s, then x1.5 per unchanged answer: 0.3, 0.45, then the 0.5 s ceiling.
            await wait_for(pilot, lambda: watcher.schedule.get(key, (0, 0))[1] >= 0.5, timeout=10)
            assert watcher.schedule[key][1] == 0.5
            assert watcher.polls >= 3

    async def test_bell_can_be_switched_off(self, sandbox: Sandbox) -> None:
        from dataclasses import replace

        app = make_app(sandbox, settings=replace(TEST_SETTINGS, bell=False))
        async with app.run_test(size=(200, 60)) as pilot:
            job_node = await open_path(pilot, *RUNNING_JOB)
            sandbox.clock.advance(hours=6)
            await wait_for(pilot, lambda: job_node.data.resource.finished, timeout=10)
            assert app.bells_rung == 0

    async def test_finished_jobs_are_not_polled(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(200, 60)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            sandbox.reset_requests()
            watcher = app.explorer.watcher
            ticks = watcher.ticks
            await wait_for(pilot, lambda: watcher.ticks >= ticks + 4)  # 2 s of ticks
            assert sandbox.request_counts["GetHarvestJob"] == 0 and watcher.polls == 0


class TestCopy:
    async def test_copy_arn_and_etag(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            node = await open_path(pilot, *FAILED_JOB)
            job = app.explorer.detail.resource
            await pilot.press("c")
            assert app.clipboard == job.arn == node.data.resource.arn
            await pilot.press("e")
            assert app.clipboard == job.etag
            await pilot.press("y")
            assert f'"HarvestJobName": "{FAILED_JOB[3]}"' in app.clipboard
            notes = [n.message for n in app._notifications]
            assert any(m.startswith("Copied ARN: ") for m in notes)
            assert any(m.startswith("Copied ETag: ") for m in notes)

    async def test_fallback_shows_each_value_unwrapped_with_no_border(
        self, sandbox: Sandbox
    ) -> None:
        """What a terminal selection picks up: the value alone, on its line, from column 0,
        even at 80 columns where the ARN is longer than the screen; no toast over it."""
        from harvest_tui.ui.screens.copy_screen import CopyScreen

        app = make_app(sandbox)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await open_path(pilot, *FAILED_JOB)
            job = app.explorer.detail.resource
            await pilot.press("c")  # its toast is up when v is pressed
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, CopyScreen))
            await wait_for(pilot, lambda: bool(app.screen.query("Toast")))  # c's toast is here
            await pilot.pause()
            _, screen = terminal(app)
            lines = [line.rstrip() for line in screen.splitlines()]
            assert "Shift-drag selects" in " ".join(lines[:3])
            titles = [line for line in lines if line in ("ARN", "Last copied")]
            assert titles == ["Last copied", "ARN"]
            shown = lines[lines.index("ARN") + 1]  # column 0, one line, cut by the screen only
            assert len(shown) >= 76 and job.arn.startswith(shown) and len(job.arn) > 80
            assert lines[lines.index("ARN") + 2] == ""  # no rest of the ARN on the next line
            assert not set("│╭╮╰╯─") & set("".join(lines))
            assert "Copied ARN" not in screen  # the toast is not drawn here
            values = [str(s.render()) for s in app.screen.query(".copy-value")]
            assert values[:2] == [job.arn, job.arn]
            await pilot.press("escape")
            assert not isinstance(app.screen, CopyScreen)

    async def test_etag_of_a_group_channel_or_endpoint(self, sandbox: Sandbox) -> None:
        """Not only a job's: what the detail pane shows, e copies (an update would send it)."""
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            for depth in (1, 2, 3):
                await open_path(pilot, *FAILED_JOB[:depth])
                await wait_for(pilot, lambda: app.explorer.detail.fetched_at is not None)
                shown = app.explorer.detail.resource
                assert shown is not None and shown.name == FAILED_JOB[depth - 1] and shown.etag
                await pilot.press("e")
                assert app.clipboard == shown.etag


class TestProfileSwitch:
    async def test_switch_to_another_profile(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The second account is not the in-process sandbox: it needs credentials of its own.
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
        with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW), data="empty") as other:
            # The second profile is in eu-west-1: the sandbox keeps each region apart.
            other.store_for(ACCOUNT_ID, "eu-west-1").add_channel_group("other-account-group")
            config = Config(
                path=None,
                default_profile="first",
                profiles={
                    "first": Profile(
                        "first", regions=("us-east-1",), endpoint_url=sandbox.endpoint_url
                    ),
                    "second": Profile(
                        "second",
                        regions=("eu-west-1",),
                        endpoint_url=other.endpoint_url,
                        production=True,
                        read_only=True,
                    ),
                },
            )
            active = sandbox_profile(sandbox, name="first", from_config=True)
            with own_worker() as worker:
                app = make_app(sandbox, active=active, config=config, worker=worker)
                await self.switch(app, other)

    async def switch(self, app: HarvestApp, other: Sandbox) -> None:
        if True:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                assert "live-sports" in [
                    n.data.name for n in app.explorer.resource_tree.root.children
                ]
                await pilot.press("p")
                await pilot.pause()
                assert isinstance(app.screen, ProfilePicker)
                await pilot.press(*"second")
                await pilot.press("enter")
                await settle(pilot)
                assert [n.data.name for n in app.explorer.resource_tree.root.children] == [
                    "other-account-group"
                ]
                header = str(app.explorer.header.content)
                assert "second" in header and "PRODUCTION" in header and "READ-ONLY" in header
                assert "eu-west-1" in header
                assert other.request_counts["ListChannelGroups"] == 1


class TestNodeErrors:
    async def test_denied_group_shows_error_node_and_retry_recovers(self, sandbox: Sandbox) -> None:
        sandbox.faults.deny_groups = {"news-24x7"}
        app = make_app(sandbox)
        async with app.run_test(size=(160, 40)) as pilot:
            group = await open_path(pilot, "news-24x7")
            listed = sandbox.request_counts["ListChannels"]  # the first group's prefetch too
            assert len(group.children) == 1 and group.children[0].data.kind == "error"
            error = group.children[0].data.error
            assert error.code == "AccessDeniedException" and error.request_id
            assert "AccessDeniedException" in str(group.children[0].label)
            # A persistent error is shown once, not retried in a loop (over watcher ticks).
            watcher = app.explorer.watcher
            ticks = watcher.ticks
            await wait_for(pilot, lambda: watcher.ticks >= ticks + 2)
            assert sandbox.request_counts["ListChannels"] == listed
            # Other groups still work.
            other = await open_path(pilot, "live-sports")
            assert other.children[0].data.kind == "channel"
            # r on the error node retries its parent once access is granted.
            sandbox.faults.deny_groups = set()
            app.explorer.resource_tree.move_cursor(group.children[0])
            await pilot.press("r")
            await settle(pilot)
            assert group.children[0].data.kind == "channel"

    async def test_unreachable_endpoint_is_an_error_node_not_a_crash(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
        with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)) as sb:
            active = sandbox_profile(sb)
        with own_worker() as worker:
            app = build_app(active, worker=worker, settings=TEST_SETTINGS, retry=FAST_RETRY)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot, timeout=60)
                node = app.explorer.resource_tree.root.children[0]
                assert node.data.kind == "error"
                assert node.data.error.code in ("EndpointUnreachable", "ConnectionLost")
                assert app.is_running


class TestHelp:
    async def test_help_lists_every_binding(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = widget_text(app.screen, "#help-table")
            for description in (
                "Quit",
                "Refresh",
                "Copy ARN",
                "Copy ETag",
                "Copy JSON",
                "UTC/local",
                "Profile",
                "Command palette",
                "Collapse",
            ):
                assert description in text, description
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    async def test_help_says_what_tab_does_and_lists_the_jobs_tables_keys(
        self, sandbox: Sandbox
    ) -> None:
        """As README's Keys section says: Tab goes round three panes, and the jobs table
        (J, its keys the fleet's too) sorts, filters, shows a job, exports."""
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            lines = widget_text(app.screen, "#help-table").splitlines()
            tab = next(line for line in lines if line.startswith("Tab "))
            assert all(pane in tab for pane in ("tree", "detail", "watching strip")), tab
            lines = widget_text(app.screen, "#help-jobs-table").splitlines()
            for keys, words in (
                ("1 … 9", "Sort by that column"),
                ("o", "Sort by the next column"),
                ("/  s", "Filter by name"),
                ("Enter", "detail"),
                ("E", "Export the rows shown"),
                ("Esc", "Close what is open"),
            ):
                assert any(line.startswith(f"{keys} ") and words in line for line in lines), keys
            title = widget_text(app.screen, "#help-jobs-title")
            assert "jobs table (J)" in title and "fleet (F)" in title


@pytest.fixture(autouse=True)
def _no_stray_sandbox_errors(sandbox: Sandbox) -> None:
    yield
    assert sandbox.internal_errors == []


class TestRefreshKeepsState:
    async def test_r_reloads_subtree_keeping_expansion_and_cursor(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(160, 40)) as pilot:
            endpoint = await open_path(pilot, "events-popup", "keynote-live", "cmaf-main")
            channel = endpoint.parent
            before = [c.data.name for c in endpoint.children]
            sandbox.store.add_harvest_job(
                "events-popup",
                "keynote-live",
                "cmaf-main",
                "aaa-added-later",
                start=DEMO_NOW - timedelta(hours=3),
                end=DEMO_NOW - timedelta(hours=2),
                bucket="acme-media-archive",
                path="later/",
                created_at=DEMO_NOW - timedelta(hours=1),
            )
            app.explorer.resource_tree.move_cursor(channel)
            await settle(pilot)
            sandbox.reset_requests()
            await pilot.press("r")
            await settle(pilot)
            assert endpoint.is_expanded and channel.is_expanded
            assert app.explorer.resource_tree.cursor_node is channel
            assert [c.data.name for c in endpoint.children] == sorted([*before, "aaa-added-later"])
            # The channel's one job list refreshes its endpoints: no request per endpoint.
            assert sandbox.request_counts["ListHarvestJobs"] == 1
            assert sandbox.request_counts["ListOriginEndpoints"] == 1


class TestRegionsAndPalette:
    async def test_one_top_level_node_per_region(self, sandbox: Sandbox) -> None:
        active = sandbox_profile(sandbox, regions=("us-east-1", "eu-west-1"))
        app = make_app(sandbox, active=active)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            regions = app.explorer.resource_tree.root.children
            assert [r.data.name for r in regions] == ["us-east-1", "eu-west-1"]
            assert all(region.is_expanded for region in regions)
            # Each region's own channel groups: the sandbox keeps a region's data apart.
            us, eu = ([c.data.name for c in region.children] for region in regions)
            assert us == ["events-popup", "live-sports", "news-24x7"]
            assert eu == ["eu-broadcast"]

    async def test_command_palette_holds_every_action(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *FAILED_JOB)  # on a job, every copy applies
            titles = {c.title for c in app.get_system_commands(app.screen)}
            for title in (
                "Help",
                "Refresh",
                "Copy ARN",
                "Copy ETag",
                "Copy JSON",
                "Copy text",
                "UTC/local",
                "Profile",
            ):
                assert title in titles, title


class TestCancel:
    STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)

    async def test_cancel_with_confirmation(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=self.STILL)
        async with app.run_test(size=(160, 40)) as pilot:
            await open_path(pilot, *QUEUED_JOB)
            await pilot.press("x")
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
            assert str(app.explorer.detail.resource.status) == "CANCELLED"
            assert sandbox.request_counts["CancelHarvestJob"] == 1

    async def test_declining_changes_nothing(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=self.STILL)
        async with app.run_test(size=(160, 40)) as pilot:
            await open_path(pilot, *QUEUED_JOB)
            await pilot.press("x", "n")
            await settle(pilot)
            assert sandbox.request_counts["CancelHarvestJob"] == 0

    async def test_read_only_profile_refuses(self, sandbox: Sandbox) -> None:
        active = sandbox_profile(sandbox, read_only=True)
        app = make_app(sandbox, active=active, settings=self.STILL)
        async with app.run_test(size=(160, 40)) as pilot:
            await open_path(pilot, *QUEUED_JOB)
            await pilot.press("x")
            await pilot.press("y")
            await settle(pilot)
            assert sandbox.request_counts["CancelHarvestJob"] == 0
            assert any("read-only" in n.message for n in app._notifications)

    async def test_a_dimmed_key_says_why_it_does_nothing(self, sandbox: Sandbox) -> None:
        """x on a finished job, y on a group: dimmed in the footer, and pressed, a notice
        says why (Textual runs no action for a disabled binding)."""
        app = make_app(sandbox, settings=self.STILL)
        async with app.run_test(size=(160, 40)) as pilot:
            await open_path(pilot, *FAILED_JOB)
            assert not app.screen.active_bindings["x"].enabled
            await pilot.press("x")
            await settle(pilot)
            notices = [n.message for n in app._notifications]
            assert any("has already finished (FAILED): only a queued" in m for m in notices)
            assert not isinstance(app.screen, ConfirmScreen)
            assert sandbox.request_counts["CancelHarvestJob"] == 0
            await open_path(pilot, FAILED_JOB[0])
            assert not app.screen.active_bindings["y"].enabled
            await pilot.press("y")
            await settle(pilot)
            assert any("JSON copies apply to harvest jobs" in n.message for n in app._notifications)

    async def test_stale_etag_is_a_conflict_not_a_cancel(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=self.STILL)
        async with app.run_test(size=(160, 40)) as pilot:
            await open_path(pilot, *QUEUED_JOB)
            shown = app.explorer.detail.resource
            # It starts meanwhile (but does not finish): its ETag changes.
            client, (g, c, e, name) = sandbox.client(), QUEUED_JOB
            ids = dict(ChannelGroupName=g, ChannelName=c, OriginEndpointName=e, HarvestJobName=name)
            while client.get_harvest_job(**ids)["Status"] == "QUEUED":
                sandbox.clock.advance(seconds=5)
            assert client.get_harvest_job(**ids)["Status"] == "IN_PROGRESS"
            await pilot.press("x", "y")
            await settle(pilot)
            assert any("changed since it was shown" in n.message for n in app._notifications)
            assert str(app.explorer.detail.resource.status) != "CANCELLED"
            assert app.explorer.detail.resource.etag != shown.etag


class TestThroughTheServiceWorker:
    """The app as `harvest-tui` runs it: every call made by the worker process."""

    async def test_walk_detail_and_cancel(self, sandbox: Sandbox) -> None:
        still = replace(TEST_SETTINGS, poll_interval_seconds=60, poll_max_interval_seconds=120)
        app = make_app(sandbox, settings=still)  # the tests' shared worker
        async with app.run_test(size=(160, 40)) as pilot:
            job = await open_path(pilot, *QUEUED_JOB)
            await settle(pilot)
            # One list per level (the channel's one job list fills its endpoints), and the
            # channels of the group the cursor rested on first (prefetched).
            counts = sandbox.request_counts
            assert counts["ListChannelGroups"] == 1 and counts["ListChannels"] == 2
            assert counts["ListOriginEndpoints"] == counts["ListHarvestJobs"] == 1
            assert app.explorer.detail.fetched_at is not None
            truth = sandbox.client().get_harvest_job(
                ChannelGroupName=QUEUED_JOB[0],
                ChannelName=QUEUED_JOB[1],
                OriginEndpointName=QUEUED_JOB[2],
                HarvestJobName=QUEUED_JOB[3],
            )
            assert app.explorer.detail.resource.tags == truth["Tags"] and truth["Tags"]
            sandbox.reset_requests()
            assert "cup-final-highlights" in widget_text(app, "#detail-title")
            assert job.data.kind == "job"
            await pilot.press("x", "y")
            await settle(pilot)
            assert sandbox.request_counts["CancelHarvestJob"] == 1
            assert str(app.explorer.detail.resource.status) == "CANCELLED"

    async def test_a_worker_that_dies_is_an_error_then_r_works_without_it(
        self, sandbox: Sandbox, service_worker
    ) -> None:
        import os
        import signal

        app = make_app(sandbox, worker=service_worker)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            sandbox.faults.latency_ms = 1500
            group = child(app.explorer.resource_tree.root, "live-sports")
            listed = sandbox.request_counts["ListChannels"]  # the first group's, prefetched
            app.explorer.resource_tree.move_cursor(group)
            group.expand()
            # The list is in flight (asked, 1.5 s from an answer) when the worker dies.
            await wait_for(pilot, lambda: sandbox.request_counts["ListChannels"] > listed)
            os.kill(service_worker.proc.pid, signal.SIGKILL)
            await settle(pilot)
            assert group.children[0].data.kind == "error"
            assert group.children[0].data.error.code == "WorkerStopped"
            sandbox.faults.latency_ms = 0
            app.explorer.resource_tree.move_cursor(group.children[0])
            await pilot.press("r")
            await settle(pilot)
            assert [c.data.kind for c in group.children] == ["channel"] * 4


class TestFooter:
    async def test_repainted_only_when_its_keys_change(self, sandbox: Sandbox) -> None:
        from harvest_tui.ui.widgets.app_footer import AppFooter

        app = make_app(sandbox)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            footer = app.query_one(AppFooter)
            before = footer.keys
            assert "Quit" in {k.description for k in before}
            assert footer.palette is not None and footer.palette.display == "^p"
            for _ in range(3):  # what focus changes and app focus do: nothing to show anew
                app.screen.refresh_bindings()
                await pilot.pause()
            assert footer.keys is before  # the same keys: not even repainted
            app.set_keymap({"copy_arn": "ctrl+k"})
            await pilot.pause()
            await pilot.pause()
            assert "^k" in {k.display for k in footer.keys} and footer.keys != before

    async def test_a_click_presses_its_key_and_a_dimmed_key_rings(self, sandbox: Sandbox) -> None:
        from harvest_tui.ui.widgets.app_footer import AppFooter

        app = make_app(sandbox)
        rung: list[bool] = []
        app.bell = lambda: rung.append(True)  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            footer = app.query_one(AppFooter)

            def x_of(action: str) -> int:
                spans, _, _ = footer.key_spans(120)
                return next(start for start, _, key in spans if key.action == action)

            await pilot.hover(AppFooter, offset=(x_of("cancel_job") + 1, 0))
            assert footer._hover == "cancel_job"
            (cancel,) = [k for k in footer.keys if k.action == "cancel_job"]
            assert cancel.tooltip and footer.tooltip == cancel.tooltip  # the binding's own words
            await pilot.click(AppFooter, offset=(x_of("cancel_job") + 1, 0))  # no job shown
            assert rung == [True] and not app._notifications
            await pilot.click(AppFooter, offset=(x_of("help") + 1, 0))
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))

    async def test_keys_that_do_not_fit_are_cut_before_the_palettes_key(
        self, sandbox: Sandbox
    ) -> None:
        from harvest_tui.ui.widgets.app_footer import AppFooter

        app = make_app(sandbox)
        async with app.run_test(size=(40, 24)) as pilot:
            await settle(pilot)
            footer = app.query_one(AppFooter)
            text = footer.render_line(0).text
            assert len(text) == 40 and text.endswith("▏^p palette ")
            assert text.startswith(" r Refresh ")
            assert footer.key_at(39) is footer.palette
            await pilot.resize_terminal(10, 24)  # too narrow for the palette's key
            await pilot.pause()
            text = footer.render_line(0).text
            assert text == " r Refresh" and footer.key_at(1) is not None

    async def test_the_keys_stay_while_the_terminal_has_lost_focus(self, sandbox: Sandbox) -> None:
        """Textual unfocuses the focused widget when the terminal loses focus: the footer
        keeps the keys of what had focus (the filter's), as Footer did."""
        from textual import events

        from harvest_tui.ui.widgets.app_footer import AppFooter

        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            footer = app.query_one(AppFooter)
            await pilot.press("slash")
            await settle(pilot)
            filtering = footer.keys
            assert "q" not in {k.display for k in filtering}  # q is text in the filter bar
            app.post_message(events.AppBlur())
            await pilot.pause()
            await pilot.pause()
            assert footer.keys == filtering
