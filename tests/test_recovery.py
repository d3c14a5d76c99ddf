"""Recovery: a refresh never loses what was loaded, the detail pane always shows the node's
current state, the top level refreshes too, a hung worker does not stall loading, an empty
account says so, and only valid ARNs and ETags reach the clipboard.

The refresh tests stop the sandbox and start it again on the same port, as a user's
network or endpoint would come and go.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import Any

from pilotkit import (
    TEST_SETTINGS,
    child,
    explorer,
    make_app,
    open_path,
    own_worker,
    settle,
    wait_for,
    widget_text,
)

from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox
from harvest_tui.worker.client import WorkerBackend

STILL = TEST_SETTINGS.__class__(poll_interval_seconds=3600, poll_max_interval_seconds=3600)
ENDPOINT = ("live-sports", "football-main", "cmaf-main")


def names(node: Any) -> list[str]:
    return [c.data.name for c in node.children if c.data is not None]


class TestRefresh:
    async def test_a_failed_refresh_keeps_the_subtree_and_a_good_one_restores_it(self) -> None:
        first = Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)).start()
        second: Sandbox | None = None
        try:
            app = make_app(first, settings=STILL)
            async with app.run_test(size=(160, 50)) as pilot:
                endpoint = await open_path(pilot, *ENDPOINT)
                tree = explorer(app).resource_tree
                group = child(tree.root, "live-sports")
                channel = child(group, "football-main")
                jobs = names(endpoint)
                assert jobs and channel.is_expanded and endpoint.is_expanded
                tree.move_cursor(group)
                await settle(pilot)
                port = int(first.endpoint_url.rsplit(":", 1)[1])
                first.stop()
                await pilot.press("r")
                await settle(pilot, timeout=30)
                # Nothing loaded is thrown away: marked stale, with the error.
                assert group.data.stale is not None
                assert "stale since" in str(group.label)
                assert channel.is_expanded and endpoint.is_expanded
                assert names(endpoint) == jobs
                second = Sandbox(seed=7, clock=FrozenClock(DEMO_NOW), port=port).start()
                await pilot.press("r")
                await settle(pilot, timeout=30)
                assert group.data.stale is None and "stale" not in str(group.label)
                assert channel.is_expanded and endpoint.is_expanded
                assert names(endpoint) == jobs
                assert tree.cursor_node is group
                assert second.request_counts["ListOriginEndpoints"] >= 1  # the subtree too
        finally:
            first.stop()
            if second is not None:
                second.stop()

    async def test_the_detail_pane_shows_the_current_state_after_r(self, sandbox: Sandbox) -> None:
        sandbox.faults.deny_groups = {"news-24x7"}
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(160, 50)) as pilot:
            group = await open_path(pilot, "news-24x7")
            tree = explorer(app).resource_tree
            tree.move_cursor(group.children[0])
            await settle(pilot)
            assert "AccessDeniedException" in widget_text(app, "#detail-error")
            sandbox.faults.deny_groups = set()
            await pilot.press("r")
            await settle(pilot)
            assert names(group) == ["news-main"] or "news-main" in names(group)
            shown = explorer(app).detail.resource
            assert shown is not None and shown.arn == tree.cursor_node.data.resource.arn
            assert "AccessDeniedException" not in widget_text(app, "#detail-error")
            assert shown.name in widget_text(app, "#detail-title")

    async def test_a_retry_that_fails_differently_shows_the_new_error(
        self, sandbox: Sandbox
    ) -> None:
        sandbox.faults.deny_groups = {"news-24x7"}
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(160, 50)) as pilot:
            group = await open_path(pilot, "news-24x7")
            explorer(app).resource_tree.move_cursor(group.children[0])
            await settle(pilot)
            sandbox.faults.deny_groups = set()
            sandbox.faults.error_rate = 1.0
            await pilot.press("r")
            await settle(pilot, timeout=30)
            panel = widget_text(app, "#detail-error")
            assert "InternalServerException" in panel and "AccessDenied" not in panel

    async def test_refresh_all_shows_a_group_created_after_start(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(160, 50)) as pilot:
            endpoint = await open_path(pilot, *ENDPOINT)
            tree = explorer(app).resource_tree
            assert "aa-new-group" not in names(tree.root)
            sandbox.store.add_channel_group("aa-new-group")
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert names(tree.root)[0] == "aa-new-group"
            assert endpoint.is_expanded and names(endpoint)  # what was open stays open

    async def test_an_empty_account_says_which_region_and_what_to_try(self) -> None:
        with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW), data="empty") as empty:
            app = make_app(empty, settings=STILL)
            async with app.run_test(size=(160, 50)) as pilot:
                await settle(pilot)
                roots = explorer(app).resource_tree.root.children
                assert len(roots) == 1 and roots[0].data.kind == "empty"
                label = str(roots[0].label)
                assert "No channel groups in us-east-1" in label
                assert "--region" in label and "profile" in label

    async def test_empty_levels_say_so(self, sandbox: Sandbox) -> None:
        sandbox.store.add_channel("events-popup", "zz-quiet")
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(160, 50)) as pilot:
            channel = await open_path(pilot, "events-popup", "zz-quiet")
            assert [str(c.label) for c in channel.children] == ["no origin endpoints"]


class TestHungWorker:
    async def test_a_stopped_worker_does_not_stall_loading(self, sandbox: Sandbox) -> None:
        """SIGSTOP the worker: past the call deadline it is killed, and the load is made
        in the app's own process, with no key pressed."""
        with own_worker() as worker:
            app = make_app(sandbox, settings=STILL, worker=worker)
            async with app.run_test(size=(160, 50)) as pilot:
                await settle(pilot)
                # A short deadline only now: on a loaded machine a healthy start-up call
                # may take longer than 1 s.
                for backend in explorer(app).connected.backends.values():
                    assert isinstance(backend, WorkerBackend)
                    backend.deadline = 1.0
                os.kill(worker.proc.pid, signal.SIGSTOP)
                try:
                    tree = explorer(app).resource_tree
                    group = child(tree.root, "live-sports")
                    group.expand()
                    await wait_for(pilot, lambda: "football-main" in names(group), timeout=30)
                finally:
                    with contextlib.suppress(OSError):
                        os.kill(worker.proc.pid, signal.SIGCONT)
                assert not worker.alive and worker.stop_reason is not None


class TestClipboardHygiene:
    async def test_an_arn_with_control_characters_is_not_copied(self, sandbox: Sandbox) -> None:
        sandbox.store.add_channel_group("zz\necho pwned\n")
        app = make_app(sandbox, settings=STILL)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            tree = explorer(app).resource_tree
            tree.move_cursor(tree.root.children[-1])
            await settle(pilot)
            await pilot.press("c")
            assert app.clipboard == ""
            notes = [n.message for n in app._notifications]
            assert any("Not copied" in m and "\\n" in m for m in notes)
            assert not any("\n" in m.split(": ", 2)[-1] for m in notes if "Not copied" in m)
