"""Roll-ups, fresh counts, the quota meter and the watching strip (issues 11 and 12),
driven by Pilot against the sandbox; the sandbox's request log proves the budget."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from pilotkit import (
    TEST_SETTINGS,
    child,
    explorer,
    make_app,
    open_path,
    settle,
    wait_for,
)

from harvest_tui.sandbox import Sandbox
from harvest_tui.statuses import STATUS_GLYPH
from harvest_tui.ui.screens.confirm_screen import ConfirmScreen
from harvest_tui.ui.screens.job_form import JobForm

POLLING = replace(TEST_SETTINGS, poll_groups=True)
# Group polls only when a test asks (poll_soon): pictures and request counts hold still.
STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)
STILL_POLLING = replace(STILL, poll_groups=True)
GROUP, CHANNEL, ENDPOINT = "live-sports", "football-main", "cmaf-main"
RUNNING_JOB = (GROUP, CHANNEL, ENDPOINT, "cup-final-full-match")


def truth_counts(sandbox: Sandbox, group: str, channel: str | None = None) -> Counter[str]:
    kw = {"ChannelName": channel} if channel else {}
    pages = sandbox.client().get_paginator("list_harvest_jobs")
    jobs = [j for p in pages.paginate(ChannelGroupName=group, **kw) for j in p.get("Items", [])]
    return Counter(j["Status"] for j in jobs)


def glyphs(counts: Counter[str]) -> str:
    order = ("QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED")
    return " ".join(f"{STATUS_GLYPH[s]}{counts[s]}" for s in order if counts[s])


def active_truth(sandbox: Sandbox, group: str) -> int:
    counts = truth_counts(sandbox, group)
    return counts["QUEUED"] + counts["IN_PROGRESS"]


def label(node: Any) -> str:
    return str(node.label)


class TestRollUps:
    async def test_channel_and_group_rows_sum_what_is_loaded_below(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(160, 50)) as pilot:
            channel = await open_path(pilot, GROUP, CHANNEL)
            group = channel.parent
            want = truth_counts(sandbox, GROUP, CHANNEL)
            assert want["FAILED"]  # the demo has failures here: the roll-up must show them
            assert glyphs(want) in label(channel)
            # One channel of four loaded: the group sums it and says the rest are unopened.
            others = len(group.children) - 1
            assert glyphs(want) in label(group) and f"+{others} unopened" in label(group)
            for name in [c.data.name for c in group.children if c is not channel]:
                await open_path(pilot, GROUP, name)
            assert glyphs(truth_counts(sandbox, GROUP)) in label(group)
            assert "unopened" not in label(group)


class TestFreshCounts:
    async def test_a_job_finishing_in_the_background_updates_collapsed_rows(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox, settings=POLLING)
        async with app.run_test(size=(160, 50)) as pilot:
            channel = await open_path(pilot, GROUP, CHANNEL)
            endpoint = child(channel, ENDPOINT)
            group = channel.parent
            assert not endpoint.is_expanded and not endpoint.data.loaded
            meter = f"active {active_truth(sandbox, GROUP)}/10"
            await wait_for(pilot, lambda: meter in label(group))
            before = truth_counts(sandbox, GROUP, CHANNEL)
            assert glyphs(truth_counts(sandbox, *RUNNING_JOB[:2])) in label(channel)
            endpoint_before = label(endpoint)
            # Finished by someone else (the console, the CLI): no key pressed here.
            sandbox.client().cancel_harvest_job(
                ChannelGroupName=GROUP,
                ChannelName=CHANNEL,
                OriginEndpointName=ENDPOINT,
                HarvestJobName=RUNNING_JOB[3],
            )
            after = truth_counts(sandbox, GROUP, CHANNEL)
            assert after != before
            await wait_for(pilot, lambda: glyphs(after) in label(channel))
            assert label(endpoint) != endpoint_before and "⊘" in label(endpoint)
            assert f"active {active_truth(sandbox, GROUP)}/10" in label(group)
            assert not endpoint.is_expanded  # collapsed all along

    async def test_the_request_budget_is_two_lists_per_open_group_per_poll(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox, settings=POLLING)
        async with app.run_test(size=(160, 50)) as pilot:
            await open_path(pilot, GROUP, CHANNEL)
            watcher = explorer(app).group_watcher
            await wait_for(pilot, lambda: watcher.polls >= 3)  # each group listed once
            # Between polls: a poll counted but still asking would add requests after
            # the reset that the count before it already holds.
            await settle(pilot)
            sandbox.reset_requests()
            polls = watcher.polls
            await wait_for(pilot, lambda: watcher.polls >= polls + 4)
            await settle(pilot)
            sent = [p for op, p in sandbox.requests if op == "ListHarvestJobs"]
            # Only the open group, each poll one list per active status, nothing per
            # channel or endpoint, and no other calls (nothing changed, nothing to Get).
            assert {p["ChannelGroupName"] for p in sent} == {GROUP}
            assert not any("ChannelName" in p for p in sent)
            assert Counter(p["Status"] for p in sent) == {
                "QUEUED": watcher.polls - polls,
                "IN_PROGRESS": watcher.polls - polls,
            }
            assert set(sandbox.request_counts) <= {"ListHarvestJobs"}

    async def test_a_group_whose_every_channel_is_being_listed_is_not_polled_meanwhile(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Its channels' job lists answer what the poll asks, and more: the poll waits for
        them, takes them as its answer, and the next one goes out an interval later."""
        from harvest_tui.ui.watcher import GroupWatcher
        from harvest_tui.ui.widgets.resource_tree import ResourceTree

        ticks: list[float] = []
        tick = GroupWatcher.tick

        def counted(watcher: GroupWatcher) -> None:
            ticks.append(0)
            tick(watcher)

        answers: list[int] = []  # each answer to a poll of the group: its active jobs
        apply_active = ResourceTree.apply_active

        def applied(tree: ResourceTree, region: str, group: str, jobs: Any, at: Any) -> None:
            if group == "events-popup":
                answers.append(len(jobs))
            apply_active(tree, region, group, jobs, at)

        monkeypatch.setattr(GroupWatcher, "tick", counted)
        monkeypatch.setattr(ResourceTree, "apply_active", applied)
        group_polls = lambda: [  # noqa: E731
            p
            for op, p in sandbox.requests
            if op == "ListHarvestJobs"
            and p == {**p, "ChannelGroupName": "events-popup"}
            and "ChannelName" not in p
        ]
        key = ("us-east-1", "events-popup")
        app = make_app(sandbox, settings=STILL_POLLING)  # a poll only when asked for
        async with app.run_test(size=(160, 50)) as pilot:
            group = await open_path(pilot, "events-popup")
            watcher = explorer(app).group_watcher
            watcher.poll_soon(*key)
            await wait_for(
                pilot, lambda: len(answers) == 1 and key not in watcher.backoff.in_flight
            )
            active = answers[0]
            sandbox.faults.hold()  # the channels' lists stay in flight
            try:
                for channel in group.children:
                    channel.expand()
                await wait_for(pilot, lambda: sum(
                    "ChannelName" in p for op, p in sandbox.requests if op == "ListHarvestJobs"
                ) == 2)  # fmt: skip
                sandbox.reset_requests()
                watcher.poll_soon(*key)  # due now; ticks come and go
                seen = len(ticks)
                await wait_for(pilot, lambda: len(ticks) >= seen + 4)
                assert group_polls() == []
            finally:
                sandbox.faults.release()
            # The lists' answer, as a poll's: the group's active jobs.
            await wait_for(pilot, lambda: len(answers) == 2)
            assert answers[1] == active
            assert group_polls() == []
            # The next poll an interval (here an hour) later, as after any poll.
            due, interval = watcher.backoff.schedule[key]
            assert due - time.monotonic() > interval - 60

    async def test_a_filtered_list_answered_after_the_filter_went_never_counts(
        self, sandbox: Sandbox
    ) -> None:
        """The filter set and cleared while the lists are held: the COMPLETED-only lists
        and the full ones then arrive in any order. The ones read without a filter stand,
        on the rows and as the group's poll (its active jobs are not taken for gone)."""
        from harvest_tui.models import JobStatus

        app = make_app(sandbox, settings=POLLING)
        async with app.run_test(size=(160, 50)) as pilot:
            group = await open_path(pilot, "events-popup")
            tree = explorer(app).resource_tree
            for channel in group.children:
                channel.expand()
            await settle(pilot)
            truth = truth_counts(sandbox, "events-popup")
            meter = f"active {truth['QUEUED'] + truth['IN_PROGRESS']}/10"
            await wait_for(pilot, lambda: meter in label(group))

            def channel_lists(status: str | None) -> int:
                return sum(
                    op == "ListHarvestJobs" and "ChannelName" in p and p.get("Status") == status
                    for op, p in sandbox.requests
                )

            sandbox.reset_requests()
            sandbox.faults.hold()
            try:
                tree.set_status_filter((JobStatus.COMPLETED,))
                await wait_for(pilot, lambda: channel_lists("COMPLETED") == 2)
                tree.set_status_filter(None)
                await wait_for(pilot, lambda: channel_lists(None) == 2)
                # The group waits for its channels' lists (a tick marks it).
                await wait_for(pilot, lambda: group.data.extra.get("listed_by_channels"))
            finally:
                sandbox.faults.release()
            await settle(pilot)
            assert glyphs(truth) in label(group) and meter in label(group)
            assert not tree.departed  # no active job taken for finished or gone

    async def test_a_count_not_listed_lately_says_how_old_it_is(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL_POLLING)  # polls only when asked
        async with app.run_test(size=(160, 50)) as pilot:
            channel = await open_path(pilot, GROUP, CHANNEL)
            group = channel.parent
            explorer(app).group_watcher.poll_soon("us-east-1", GROUP)
            await wait_for(pilot, lambda: "active" in label(group))
            await settle(pilot)
            assert "ago" not in label(group)
            # Twice the longest poll interval (2 x 3600 s) later, with no list since:
            sandbox.clock.advance(hours=3)
            await wait_for(pilot, lambda: "(3 h ago)" in label(group))


class TestQuotaMeter:
    async def test_every_group_shows_its_active_jobs_against_the_quota(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox, settings=replace(POLLING, active_job_quota=25))
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            groups = explorer(app).resource_tree.root.children
            for group in groups:
                want = f"active {active_truth(sandbox, group.data.name)}/25"
                await wait_for(pilot, lambda g=group, w=want: w in label(g))

    async def test_the_meter_follows_a_cancel_and_a_create(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL_POLLING)
        async with app.run_test(size=(160, 50)) as pilot:
            tree = explorer(app).resource_tree
            job = await open_path(pilot, *RUNNING_JOB)
            group = job.parent.parent.parent
            n = active_truth(sandbox, GROUP)
            explorer(app).group_watcher.poll_soon("us-east-1", GROUP)
            await wait_for(pilot, lambda: f"active {n}/10" in label(group))
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: f"active {n - 1}/10" in label(group))
            assert active_truth(sandbox, GROUP) == n - 1
            assert tree.cursor_node is job
            # n on the endpoint, ctrl+s: one more, at once.
            tree.move_cursor(job.parent)
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, JobForm))
            form = app.screen
            await wait_for(pilot, lambda: form.spec is not None and form.active_count == n - 1)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not isinstance(app.screen, JobForm))
            await wait_for(pilot, lambda: f"active {n}/10" in label(group))
            assert active_truth(sandbox, GROUP) == n

    async def test_a_full_group_is_marked_and_the_form_refuses(self, sandbox: Sandbox) -> None:
        quota = 3
        assert active_truth(sandbox, GROUP) >= quota  # the demo group is over a quota of 3
        app = make_app(sandbox, settings=replace(STILL_POLLING, active_job_quota=quota))
        async with app.run_test(size=(160, 50)) as pilot:
            endpoint = await open_path(pilot, GROUP, CHANNEL, ENDPOINT)
            group = endpoint.parent.parent
            explorer(app).group_watcher.poll_soon("us-east-1", GROUP)
            n = active_truth(sandbox, GROUP)
            await wait_for(pilot, lambda: f"active {n}/{quota}" in label(group))
            text = group.label
            meter = next(s for s in text.spans if "active" in text.plain[s.start : s.end])
            assert str(meter.style) == "bold red"  # full: bold, so NO_COLOR shows it too
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, JobForm))
            form = app.screen
            await wait_for(pilot, lambda: form.active_count is not None)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, JobForm)  # refused, with the quota named
            assert form.quota_problem() and f"the quota is {quota}" in form.quota_problem()
            await settle(pilot)
            assert sandbox.request_counts["CreateHarvestJob"] == 0


class TestWatchingStrip:
    async def test_it_lists_every_active_job_and_enter_goes_to_one(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=POLLING)
        async with app.run_test(size=(160, 50)) as pilot:
            screen = explorer(app)
            await settle(pilot)
            groups = [g.data.name for g in screen.resource_tree.root.children]
            want = sum(active_truth(sandbox, g) for g in groups)
            # No group opened: the strip still lists them all, not only jobs in view.
            await wait_for(pilot, lambda: len(screen.watching.jobs) == want)
            assert screen.watching.display
            assert f"watching {want} active jobs" in str(screen.watching.border_title)
            await pilot.press("w")
            assert screen.watching.has_focus
            screen.watching.highlighted = 0
            await pilot.press("j", "j", "k")  # as the tree and the tables move
            assert screen.watching.highlighted == 1
            # The job in a channel nobody opened: Enter opens the way to it.
            index = next(
                i for i, (_, job) in enumerate(screen.watching.jobs) if job.key == RUNNING_JOB
            )
            screen.watching.highlighted = index
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda: (
                    screen.resource_tree.cursor_node is not None
                    and screen.resource_tree.cursor_node.data.name == RUNNING_JOB[3]
                ),
            )
            assert screen.resource_tree.has_focus
            await settle(pilot)
            assert screen.detail.resource.name == RUNNING_JOB[3]

    async def test_hidden_when_nothing_is_active(self, sandbox: Sandbox) -> None:
        sandbox.clock.advance(days=2)  # every demo job has finished
        app = make_app(sandbox, settings=POLLING)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = explorer(app)
            await wait_for(pilot, lambda: screen.group_watcher.polls >= 3)
            await settle(pilot)
            assert not screen.watching.jobs and not screen.watching.display
            await pilot.press("w")
            assert not screen.watching.has_focus
            assert any("No job is queued" in n.message for n in app._notifications)


class TestSnapshot:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
    def test_roll_ups_quota_meters_and_the_watching_strip(
        self, snap_compare: Any, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        async def walk(pilot: Any) -> None:
            await open_path(pilot, GROUP, CHANNEL)
            screen = explorer(pilot.app)
            groups = screen.resource_tree.root.children
            for group in groups:
                screen.group_watcher.poll_soon("us-east-1", group.data.name)
            await wait_for(pilot, lambda: all("active" in label(g) for g in groups))
            await settle(pilot)

        app = make_app(sandbox, settings=STILL_POLLING)
        assert snap_compare(app, terminal_size=size, run_before=walk)
