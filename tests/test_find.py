"""Find a job fast: the name filter (`/`) over what is loaded, and the status filter
(`s`), which the list calls send to the service."""

from __future__ import annotations

from typing import Any

from pilotkit import explorer, make_app, open_path, settle, wait_for
from textual.widgets import OptionList

from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.screens.status_picker import StatusPicker

ENDPOINT = ("live-sports", "football-main", "cmaf-main")


def shown_names(node: Any) -> list[str]:
    out: list[str] = []
    for child in node.children:
        if child.data is not None and child.data.kind not in ("loading", "error", "empty"):
            out.append(child.data.name)
            out.extend(shown_names(child))
    return out


class TestNameFilter:
    async def test_slash_and_part_of_a_name_finds_the_job(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *ENDPOINT)
            screen = explorer(app)
            await pilot.press("slash", *"FINAL-HIGH")
            await settle(pilot)
            results = screen.results
            assert results.display and not screen.resource_tree.display
            # The match and its ancestors, nothing else.
            assert shown_names(results.root) == [*ENDPOINT, "cup-final-highlights"]
            assert "/FINAL-HIGH: 1 found" in str(screen.header.content)
            # The first match is under the cursor and in the detail pane.
            await wait_for(pilot, lambda: results.cursor_node is not None)
            assert results.cursor_node.data.name == "cup-final-highlights"
            assert screen.detail.resource.name == "cup-final-highlights"
            label = results.row_label(results.cursor_node)  # as its row draws it
            assert any("reverse" in str(span.style) for span in label.spans)
            # Enter goes to it in the tree; the filter is gone.
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert screen.resource_tree.display and not screen.results.display
            assert screen.resource_tree.cursor_node.data.name == "cup-final-highlights"
            assert "/FINAL" not in str(screen.header.content)

    async def test_it_says_what_it_could_not_search_and_esc_clears(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = explorer(app)
            await pilot.press("slash", *"cup")
            await settle(pilot)
            header = str(screen.header.content)
            assert "/cup: 0 found (3 unopened not searched)" in header
            assert "nothing loaded matches" in str(screen.results.root.children[0].label)
            await pilot.press("escape")
            await settle(pilot)
            assert screen.resource_tree.display and not screen.results.display
            assert screen.filter_text == "" and "/cup" not in str(screen.header.content)


async def pick_status(pilot: Any, downs: int) -> None:
    """`s`, then the picker's entry `downs` below All, chosen; the lists read again."""
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, StatusPicker))
    await pilot.press(*["down"] * downs, "enter")
    await settle(pilot)


class TestStatusFilter:
    async def test_failed_shows_only_failed_jobs_asked_of_the_service(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            endpoint = await open_path(pilot, "live-sports", "football-main", "hls-ts")
            screen = explorer(app)
            sandbox.reset_requests()
            await pick_status(pilot, 5)  # All, Active, QUEUED, …, FAILED
            jobs = [c.data.resource for c in endpoint.children if c.data.resource]
            assert jobs and {str(j.status) for j in jobs} == {"FAILED"}
            sent = [p for op, p in sandbox.requests if op == "ListHarvestJobs"]
            assert sent and all(p.get("Status") == "FAILED" for p in sent)
            assert "status: FAILED" in str(screen.header.content)

    async def test_the_cursor_on_a_job_filtered_out_goes_to_its_endpoint(
        self, sandbox: Sandbox
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            endpoint = await open_path(pilot, "live-sports", "football-main", "hls-ts")
            tree = explorer(app).resource_tree
            kept = next(c for c in endpoint.children if str(c.data.resource.status) != "FAILED")
            tree.move_cursor(kept)
            await settle(pilot)
            await pick_status(pilot, 5)  # FAILED
            assert kept not in endpoint.children
            assert tree.cursor_node is endpoint

    async def test_active_merges_two_lists(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            endpoint = await open_path(pilot, *ENDPOINT)
            sandbox.reset_requests()
            await pick_status(pilot, 1)  # Active
            statuses = {str(c.data.resource.status) for c in endpoint.children if c.data.resource}
            assert statuses == {"QUEUED", "IN_PROGRESS"}
            sent = {p.get("Status") for op, p in sandbox.requests if op == "ListHarvestJobs"}
            assert sent == {"QUEUED", "IN_PROGRESS"}
            assert "status: Active" in str(explorer(app).header.content)

    async def test_j_and_k_move_the_pickers_highlight(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_path(pilot, *ENDPOINT)
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, StatusPicker))
            options = app.screen.query_one(OptionList)
            await pilot.press("j", "j", "j")  # Active, QUEUED, IN_PROGRESS
            assert options.highlighted == 3
            await pilot.press("k", "k")
            assert options.highlighted == 1
            await pilot.press("enter")
            await settle(pilot)
            assert "status: Active" in str(explorer(app).header.content)


class TestTypingAhead:
    async def test_keys_typed_straight_after_the_first_slash_reach_the_filter(
        self, sandbox: Sandbox
    ) -> None:
        """A terminal sends keys without waiting for the app: those typed while the filter
        bar is first being put up go into it, in order (none lost, none run on the tree)."""
        from textual import events

        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *ENDPOINT)
            screen = explorer(app)
            cursor = screen.resource_tree.cursor_node
            for key in ("slash", *"final"):
                app.post_message(events.Key(key, "/" if key == "slash" else key))
            await settle(pilot)
            assert screen.filter_bar is not None and screen.filter_bar.value == "final"
            assert screen.resource_tree.cursor_node is cursor

    async def test_a_slash_typed_in_the_filter_bar_is_text(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", "a", "slash", "b")
            await settle(pilot)
            screen = explorer(app)
            assert screen.filter_bar is not None and screen.filter_bar.value == "a/b"


def test_the_highlight_is_on_the_name_not_on_a_glyph_that_reads_the_same() -> None:
    """Under --ascii a completed job's glyph is "v": the filter "v" on a job named "v"
    highlights the name, after the glyph and its space."""
    from types import SimpleNamespace

    from rich.text import Text

    from harvest_tui.ui.widgets.filter_results import FilterResults
    from harvest_tui.ui.widgets.tree_nodes import NodeData

    results = FilterResults()
    results.needle = "v"
    data = NodeData("job", "us-east-1", resource=SimpleNamespace(name="v"))  # type: ignore[arg-type]
    node = results.root.add_leaf(Text("v v  11-01 17:25"), data)
    (span,) = results.row_label(node).spans
    assert (span.start, span.end) == (2, 3)
