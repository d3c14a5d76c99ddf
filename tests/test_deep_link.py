"""Deep links: `harvest-tui TARGET` opens at a group, channel, endpoint or job."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from pilotkit import TEST_SETTINGS, explorer, make_app, settle, wait_for

from harvest_tui.cli import split_target
from harvest_tui.deep_link import Target, TargetError, parse_target
from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.builder import build_app

STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)
JOB = ("live-sports", "football-main", "cmaf-main", "cup-final-highlights")
ARN = (
    "arn:aws:mediapackagev2:eu-west-1:111122223333:channelGroup/live-sports/channel/"
    "football-main/originEndpoint/cmaf-main/harvestJob/cup-final-highlights"
)


class TestParsing:
    def test_an_arn_names_the_path_and_its_region(self) -> None:
        assert parse_target(ARN) == Target(JOB, "eu-west-1")
        group_arn = "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/news-24x7"
        assert parse_target(group_arn) == Target(("news-24x7",), "us-east-1")

    def test_a_path_of_one_to_four_names(self) -> None:
        assert parse_target("live-sports/football-main") == Target(JOB[:2])
        assert parse_target("/".join(JOB)) == Target(JOB)

    @pytest.mark.parametrize(
        "text",
        [
            "a/b/c/d/e",
            "arn:aws:s3:::bucket",
            "arn:aws:mediapackagev2:us-east-1:111122223333:channel/x",
            "live sports",
            "x/\x1b[2J",
        ],
    )
    def test_bad_targets_say_why(self, text: str) -> None:
        with pytest.raises(TargetError) as info:
            parse_target(text)
        assert "\x1b" not in str(info.value)

    def test_the_target_is_the_first_word_that_is_not_a_flag_value_or_command(self) -> None:
        argv = ["--region", "us-east-1", "live-sports/x", "--profile", "p"]
        assert split_target(argv) == (["--region", "us-east-1", "--profile", "p"], "live-sports/x")
        assert split_target(["jobs", "list", "g"]) == (["jobs", "list", "g"], None)
        assert split_target(["--sandbox"]) == (["--sandbox"], None)


class TestOpening:
    async def test_a_job_path_opens_with_its_detail(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)  # no polls: only the walk's requests
        app.target = Target(JOB)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            await wait_for(pilot, lambda: screen.detail.resource is not None
                           and screen.detail.resource.name == JOB[3])  # fmt: skip
            await settle(pilot)
            assert screen.resource_tree.cursor_node.data.name == JOB[3]
            # Only the lists on the path, and one Get.
            counts = sandbox.request_counts
            assert counts["ListChannelGroups"] == 1 and counts["ListChannels"] == 1
            assert counts["ListOriginEndpoints"] == 1 and counts["GetHarvestJob"] == 1

    async def test_levels_whose_lists_are_in_fill_at_once(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The command asks for the path's lists before Textual starts. A level whose list
        has been answered by the time it opens fills there and then, with no thread worker
        (and its trip through the message queue, a frame later) for each level."""
        from pilotkit import FAST_RETRY, sandbox_profile, shared_worker

        from harvest_tui.backend import ListChannelGroups, get_at
        from harvest_tui.deep_link import path_lists
        from harvest_tui.service import connections_for
        from harvest_tui.ui.widgets.resource_tree import ResourceTree

        waited: list[str] = []
        run_worker = ResourceTree.run_worker

        def spy(tree: ResourceTree, work: object, *args: object, **kwargs: object) -> object:
            if kwargs.get("name") in ("children", "channel-jobs"):
                waited.append(str(kwargs.get("group")))
            return run_worker(tree, work, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(ResourceTree, "run_worker", spy)
        # As the command does, and every answer in before the app starts.
        (connection,) = connections_for(
            sandbox_profile(sandbox), sandbox_url=sandbox.endpoint_url, retry=FAST_RETRY
        ).values()
        worker = shared_worker()
        requests = [ListChannelGroups(), *path_lists(JOB), get_at(JOB)]
        calls = [worker.prefetch(connection, r) for r in requests if r is not None]
        assert all(worker.answered(call, timeout=10) for call in calls)
        app = make_app(sandbox, settings=STILL)
        app.target = Target(JOB)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            await wait_for(pilot, lambda: screen.detail.resource is not None
                           and screen.detail.resource.name == JOB[3])  # fmt: skip
            assert screen.resource_tree.cursor_node.data.name == JOB[3]
            # The detail's Get takes the answer asked for at start-up: no second call.
            await wait_for(pilot, lambda: screen.detail.fetched_at is not None)
        assert waited == []
        assert sum(sandbox.request_counts[op] for op in ("ListChannels", "ListHarvestJobs")) == 2
        assert sandbox.request_counts["GetHarvestJob"] == 1

    async def test_a_name_that_is_not_there_is_said_and_the_tree_stays_usable(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        app.target = Target(("live-sports", "no-such-channel"))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            notes = [n.message for n in app._notifications]
            assert any("there is no channel no-such-channel in live-sports" in m for m in notes)
            await pilot.press("j")
            assert explorer(app).resource_tree.cursor_node is not None

    async def test_an_arn_picks_its_region_among_several(self, sandbox: Sandbox) -> None:
        from pilotkit import FAST_RETRY, sandbox_profile, shared_worker

        active = sandbox_profile(sandbox, regions=("us-east-1", "eu-west-1"))
        target = parse_target(
            "arn:aws:mediapackagev2:eu-west-1:111122223333:channelGroup/eu-broadcast"
        )
        app = build_app(
            active,
            worker=shared_worker(),
            clock=sandbox.clock.now,
            sandbox_url=sandbox.endpoint_url,
            retry=FAST_RETRY,
            target=target,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            cursor = explorer(app).resource_tree.cursor_node
            assert cursor.data.name == "eu-broadcast" and cursor.data.region == "eu-west-1"


def test_the_command_opens_at_an_arn(sandbox: Sandbox) -> None:
    """`harvest-tui --endpoint-url URL --region us-east-1 ARN`, in a real terminal."""
    from pilotkit import PtyApp

    arn = ARN.replace("eu-west-1", "us-east-1")
    with PtyApp(sandbox, args=(arn,)) as app:
        app.wait_for(b"Harvest job")
        app.wait_for(JOB[3].encode())
        app.wait_for(b"Demo: cup final highlights")  # its detail, on screen
        app.press(b"q")
        deadline = time.monotonic() + 30
        while app.proc.poll() is None and time.monotonic() < deadline:
            app.pump(0.1)  # drain the terminal, or the app blocks writing to it
        assert app.proc.returncode == 0


def test_the_lists_on_the_path_are_in_flight_together(sandbox: Sandbox) -> None:
    """The real command: with every request held unanswered, all four lists on the path
    reach the service (not one level after another, each waiting for the last)."""
    from pilotkit import PtyApp

    wanted = ("ListChannelGroups", "ListChannels", "ListOriginEndpoints", "ListHarvestJobs")
    sandbox.faults.hold()
    try:
        with PtyApp(sandbox, args=("/".join(JOB),)) as app:
            deadline = time.monotonic() + 30
            while not all(sandbox.request_counts[op] >= 1 for op in wanted):
                assert time.monotonic() < deadline, f"only {dict(sandbox.request_counts)}"
                app.pump(0.1)
            assert all(sandbox.request_counts[op] == 1 for op in wanted)
            sandbox.faults.release()
            app.wait_for(b"Demo: cup final highlights")  # then its detail, on screen
    finally:
        sandbox.faults.release()
