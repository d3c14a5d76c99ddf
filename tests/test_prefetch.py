"""Prefetch: the cursor rests on a collapsed group or channel, its lists are asked for,
and the expand after the rest is instant. Bounded: one speculative list in flight, none
for a node whose list failed, nothing more once the cursor has moved on.

The sandbox's hold() keeps requests unanswered for as long as a test needs (no clock);
a rest is waited for by state (the prefetcher's resting node), never by time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pilotkit import TEST_SETTINGS, child, explorer, labels, make_app, settle, wait_for
from textual.pilot import Pilot

from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.prefetch import Prefetcher
from harvest_tui.ui.widgets.resource_tree import CHILDREN, JOBS, ResourceTree


def lists(sandbox: Sandbox) -> dict[str, int]:
    """The list requests so far (a cursor's rest also sends the detail pane's Get)."""
    return {op: n for op, n in sandbox.request_counts.items() if op.startswith("List")}


def tree_of(pilot: Pilot[Any]) -> ResourceTree:
    return explorer(pilot.app).resource_tree


def prefetcher(pilot: Pilot[Any]) -> Prefetcher:
    return tree_of(pilot).prefetch


def answered(pilot: Pilot[Any], name: str, key: tuple[str, ...] = CHILDREN) -> bool:
    """The prefetch of `name`'s list `key` is in, kept for an expand."""
    return any(
        s.node.data is not None and s.node.data.name == name and s.key == key and s.done.is_set()
        for s in prefetcher(pilot).kept.values()
    )


async def rest_on(pilot: Pilot[Any], name: str, key: str) -> None:
    """Move the cursor with `key` until it is on `name`, then wait for its rest."""
    tree = tree_of(pilot)
    for _ in range(20):
        node = tree.cursor_node
        if node is not None and node.data is not None and node.data.name == name:
            break
        await pilot.press(key)
    if prefetcher(pilot).enabled:
        await wait_for(pilot, lambda: prefetcher(pilot).resting is tree.cursor_node)


async def held_prefetch_of_live_sports(pilot: Pilot[Any], sandbox: Sandbox) -> int:
    """Requests held, the cursor rests on live-sports: its channels are asked for and not
    answered (the caller releases). Returns ListChannels as it was before."""
    await settle(pilot)
    listed = sandbox.request_counts["ListChannels"]
    sandbox.faults.hold()
    await rest_on(pilot, "live-sports", "j")
    await wait_for(pilot, lambda: sandbox.request_counts["ListChannels"] > listed)
    return listed


async def settled_on(pilot: Pilot[Any], name: str) -> None:
    """The app settled, then the cursor moved down to `name` and settled there."""
    await settle(pilot)
    await rest_on(pilot, name, "j")
    await settle(pilot)


class TestARestPrefetches:
    async def test_the_expand_after_a_rest_is_instant_and_asks_nothing(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled_on(pilot, "live-sports")
            counts = lists(sandbox)
            assert counts["ListChannels"] == 2  # the first group's and this one's
            group = tree_of(pilot).cursor_node
            assert group is not None and not group.is_expanded and answered(pilot, "live-sports")
            sandbox.faults.hold()  # a request now would leave "Loading…" on screen
            try:
                await pilot.press("l")
                assert "Loading…" not in labels(group)
                assert [c.data.kind for c in group.children] == ["channel"] * 4
                assert lists(sandbox) == counts
                # A channel: its endpoints, then its job list (one after the other).
                sandbox.faults.release()
                await pilot.press("l")  # onto its first channel
                await settle(pilot)
                channel = tree_of(pilot).cursor_node
                assert channel is not None and channel.data is not None
                name = channel.data.name
                assert answered(pilot, name) and answered(pilot, name, JOBS)
                counts = lists(sandbox)
                sandbox.faults.hold()
                await pilot.press("l")
                endpoints = [c for c in channel.children if c.data is not None]
                assert endpoints and all(c.data.kind == "endpoint" for c in endpoints)
                assert all(c.data.counts is not None for c in endpoints)  # the job list's
                await pilot.press("l", "l")  # onto its first endpoint, expanded: its jobs
                assert endpoints[0].children and endpoints[0].children[0].data.kind == "job"
                assert lists(sandbox) == counts
            finally:
                sandbox.faults.release()
            assert prefetcher(pilot).used == 3 and prefetcher(pilot).sent == 4

    async def test_an_expand_while_the_prefetch_is_in_flight_takes_its_answer(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            try:
                listed = await held_prefetch_of_live_sports(pilot, sandbox)
                group = tree_of(pilot).cursor_node
                assert group is not None
                await pilot.press("l")
                assert labels(group) == ["Loading…"]
            finally:
                sandbox.faults.release()
            await settle(pilot)
            assert [c.data.kind for c in group.children] == ["channel"] * 4
            assert sandbox.request_counts["ListChannels"] == listed + 1


class TestBounds:
    async def test_one_in_flight_and_nothing_follows_once_the_cursor_moves_on(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            try:
                listed = await held_prefetch_of_live_sports(pilot, sandbox)
                await rest_on(pilot, "news-24x7", "j")
                # Rested, but live-sports's list is still out: nothing more is sent.
                assert sandbox.request_counts["ListChannels"] == listed + 1
                in_flight = prefetcher(pilot).in_flight
                assert in_flight is not None and in_flight.node.data.name == "live-sports"
            finally:
                sandbox.faults.release()
            # Its answer in, the list of the node the cursor rests on now goes out.
            await settle(pilot)
            assert sandbox.request_counts["ListChannels"] == listed + 2
            assert answered(pilot, "live-sports") and answered(pilot, "news-24x7")

            # A channel left while its endpoints are out: its job list never follows.
            news = tree_of(pilot).cursor_node
            jobs_listed = sandbox.request_counts["ListHarvestJobs"]
            sandbox.faults.hold()
            try:
                await pilot.press("l")  # expand news-24x7: its prefetched channels
                await pilot.press("l")  # onto its first channel
                channel = tree_of(pilot).cursor_node
                assert channel is not None and channel.parent is news
                await wait_for(pilot, lambda: prefetcher(pilot).in_flight is not None)
                await pilot.press("k")  # back to the group: the channel is left
            finally:
                sandbox.faults.release()
            await settle(pilot)
            assert channel.data is not None and answered(pilot, channel.data.name)
            assert sandbox.request_counts["ListHarvestJobs"] == jobs_listed

    async def test_a_list_that_failed_is_not_prefetched_again(self, sandbox: Sandbox) -> None:
        sandbox.faults.deny_groups = {"news-24x7"}
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            for name in ("live-sports", "news-24x7"):
                await rest_on(pilot, name, "j")
                await settle(pilot)
            listed = sandbox.request_counts["ListChannels"]
            assert prefetcher(pilot).failed and not answered(pilot, "news-24x7")
            await rest_on(pilot, "live-sports", "k")  # its answer is kept: nothing to ask
            await rest_on(pilot, "news-24x7", "j")
            await settle(pilot)
            assert sandbox.request_counts["ListChannels"] == listed
            # The expand asks for itself (not with the failed answer).
            sandbox.faults.deny_groups = set()
            await pilot.press("l")
            await settle(pilot)
            news = child(tree_of(pilot).root, "news-24x7")
            assert [c.data.kind for c in news.children] == ["channel"] * 2
            assert sandbox.request_counts["ListChannels"] == listed + 1

    async def test_a_node_that_shows_an_error_is_not_prefetched(self, sandbox: Sandbox) -> None:
        sandbox.faults.deny_groups = {"news-24x7"}
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            tree = tree_of(pilot)
            news = child(tree.root, "news-24x7")
            tree.move_cursor(news)
            news.expand()  # no rest: the expand's own list, denied
            await settle(pilot)
            assert news.children[0].data.kind == "error"
            news.collapse()
            listed = sandbox.request_counts["ListChannels"]
            await rest_on(pilot, "live-sports", "k")
            await settle(pilot)
            await rest_on(pilot, "news-24x7", "j")
            await settle(pilot)
            assert sandbox.request_counts["ListChannels"] == listed + 1  # live-sports only


class TestSetting:
    async def test_prefetch_false_lists_nothing_before_the_expand(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=replace(TEST_SETTINGS, prefetch=False))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await rest_on(pilot, "live-sports", "j")
            await settle(pilot)  # a rest being timed would be waited for here
            assert sandbox.request_counts["ListChannels"] == 0
            assert prefetcher(pilot).sent == 0


class TestRefresh:
    async def test_r_asks_afresh_instead_of_taking_a_prefetched_answer(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settled_on(pilot, "live-sports")
            listed = sandbox.request_counts["ListChannels"]
            assert answered(pilot, "live-sports")
            await pilot.press("r")
            await settle(pilot)
            assert sandbox.request_counts["ListChannels"] == listed + 1
            assert not answered(pilot, "live-sports")
