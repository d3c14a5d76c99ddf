"""A tree that shows what matters: rows laid out to the pane (a name cut in the middle,
columns flush right, no horizontal scrollbar), jobs newest first, glyphs readable
without colour and in ASCII, the panes resized ([ ]) and zoomed (z), g and G."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from pilotkit import TEST_SETTINGS, explorer, make_app, open_path, plain, settle, wait_for
from rich.text import Text
from test_resource_tree import job as listed_job

from harvest_tui import statuses
from harvest_tui.cli import build_parser
from harvest_tui.config import ConfigError, load_config, remember_setting
from harvest_tui.models import HarvestJob, JobCounts, OriginEndpoint
from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.statuses import KIND_GLYPH, MARK, STATUS_GLYPH, TREE_GLYPHS, use_ascii
from harvest_tui.ui.screens.help_screen import HelpScreen
from harvest_tui.ui.widgets.resource_tree import newest_first
from harvest_tui.ui.widgets.tree_nodes import NodeData, node_label
from harvest_tui.ui.widgets.tree_rows import fit_row, middle_cut

ENDPOINT = ("live-sports", "football-main", "cmaf-main")


@pytest.fixture(autouse=True)
def unicode_glyphs() -> Iterator[None]:
    """Each test starts and ends with the Unicode glyphs (an app sets them per terminal)."""
    use_ascii(False)
    yield
    use_ascii(False)


def job(name: str, status: str = "COMPLETED", created_hours_ago: int = 0) -> HarvestJob:
    created = DEMO_NOW - timedelta(hours=created_hours_ago)
    return replace(listed_job(name, status, endpoint="e"), created_at=created)


class TestRowLayout:
    def test_a_long_name_is_cut_in_the_middle_keeping_its_date_suffix(self) -> None:
        text = Text("✔ football-alt-audio-post-20261102")
        cut = middle_cut(text, 24, "…")
        assert cut.cell_len == 24
        assert cut.plain.startswith("✔ football")
        assert cut.plain.endswith("-20261102")
        assert "…" in cut.plain
        # Two names that differ only at the end stay different once cut.
        other = middle_cut(Text("✔ football-alt-audio-post-20261103"), 24, "…")
        assert other.plain != cut.plain

    def test_wide_characters_are_counted_in_cells(self) -> None:
        cut = middle_cut(Text("✔ 決勝戦ハイライト映像-20261102"), 16, "…")
        assert cut.cell_len <= 16
        assert cut.plain.endswith("1102")

    def test_a_name_that_fits_is_left_alone(self) -> None:
        text = Text("✔ short")
        assert middle_cut(text, 20, "…") is text

    def test_the_column_sits_flush_right(self) -> None:
        label = Text("⌁ cmaf-main CMAF ✔3 ✖1")
        row = fit_row(label, len("⌁ cmaf-main CMAF") + 1, 40, "…")
        assert row.cell_len == 40
        assert row.plain.startswith("⌁ cmaf-main CMAF ")
        assert row.plain.endswith(" ✔3 ✖1")

    def test_columns_of_rows_line_up_and_names_are_cut_to_make_room(self) -> None:
        data_a = NodeData("job", "r", resource=job("a-very-long-harvest-job-name-20261102"))
        data_b = NodeData("job", "r", resource=job("short"))
        rows = [fit_row(node_label(d, UTC), d.column_at, 40, "…") for d in (data_a, data_b)]
        assert [r.cell_len for r in rows] == [40, 40]
        window = node_label(data_b, UTC).plain.split(" ", 2)[2]
        assert all(r.plain.endswith(window) for r in rows)
        assert "…" in rows[0].plain and rows[0].plain.split(" ")[1].endswith("20261102")

    def test_when_too_narrow_the_column_gives_way_to_the_name(self) -> None:
        data = NodeData("job", "r", resource=job("football-alt-audio-post-20261102"))
        label = node_label(data, UTC)
        row = fit_row(label, data.column_at, 25, "…")
        assert row.cell_len == 25
        assert row.plain.endswith("20261102")  # the name, not the window

    def test_the_styles_of_a_cut_label_are_kept(self) -> None:
        data = NodeData("job", "r", resource=job("football-alt-audio-post-20261102", "FAILED"))
        row = fit_row(node_label(data, UTC), data.column_at, 44, "…")
        assert "red" in str(row.style)
        assert any(s.start == 0 and "on red" in str(s.style) for s in row.spans)
        assert any("dim" in str(s.style) for s in row.spans)


class TestGlyphs:
    @pytest.mark.parametrize("ascii_only", [False, True])
    def test_every_status_has_its_own_glyph_unlike_the_expand_icons(self, ascii_only: bool) -> None:
        use_ascii(ascii_only)
        glyphs = list(STATUS_GLYPH.values())
        assert len(set(glyphs)) == len(glyphs) == 5
        icons = {icon.strip() for icon in TREE_GLYPHS["icons"]}
        assert not icons & set(glyphs), "a status glyph reads as collapsed/expanded"
        assert not set(KIND_GLYPH.values()) & (set(glyphs) | icons)

    def test_ascii_glyphs_are_ascii(self) -> None:
        use_ascii(True)
        every = [*STATUS_GLYPH.values(), *KIND_GLYPH.values(), *MARK.values()]
        every += [g for pair in TREE_GLYPHS.values() for g in pair]
        assert all(ch in string.printable for glyph in every for ch in glyph)

    def test_ascii_labels_of_every_kind_are_ascii(self) -> None:
        use_ascii(True)
        counted = NodeData("endpoint", "r", resource=endpoint())
        counted.counts = JobCounts.of([job(f"j{s}", s) for s in statuses.STATUS_GLYPH])
        datas = [counted, NodeData("loading", "r"), NodeData("region", "us-east-1")]
        datas += [NodeData("job", "r", resource=job("x", s)) for s in statuses.STATUS_GLYPH]
        for data in datas:
            plain = node_label(data, UTC).plain
            assert plain.isascii(), plain
        # Cut names too.
        assert middle_cut(Text("a" * 40), 10, MARK["cut"]).plain.isascii()

    def test_failed_is_bold_and_its_glyph_a_chip_readable_without_colour(self) -> None:
        label = node_label(NodeData("job", "r", resource=job("x", "FAILED")), UTC)
        assert "bold" in str(label.style)
        assert any(s.start == 0 and s.end == 1 and "on red" in str(s.style) for s in label.spans)
        counts = JobCounts.of([job("x", "FAILED"), job("y")])
        data = NodeData("endpoint", "r", resource=endpoint(), counts=counts)
        label = node_label(data, UTC)
        at = label.plain.index("✖1")
        assert label.plain.endswith("✔1 ✖1") and data.column_at > 0
        assert any(s.start == at and "on red" in str(s.style) for s in label.spans)


def endpoint() -> OriginEndpoint:
    return OriginEndpoint.from_api(
        {
            "ChannelGroupName": "g",
            "ChannelName": "c",
            "OriginEndpointName": "e",
            "Arn": "arn:e",
            "ContainerType": "CMAF",
            "CreatedAt": DEMO_NOW,
            "ModifiedAt": DEMO_NOW,
        }
    )


class TestJobOrder:
    def test_newest_first_by_created_at_then_by_name(self) -> None:
        jobs = [
            job("b", created_hours_ago=5),
            job("c", created_hours_ago=1),
            job("a", created_hours_ago=5),
        ]
        assert [j.name for j in newest_first(jobs)] == ["c", "a", "b"]  # type: ignore[attr-defined]

    async def test_an_endpoints_jobs_are_newest_first(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(120, 40)) as pilot:
            endpoint = await open_path(pilot, *ENDPOINT)
            shown = [c.data.resource for c in endpoint.children]
            created = [j.created_at for j in shown]
            assert len(shown) > 2 and len(set(created)) > 1
            assert created == sorted(created, reverse=True)

    async def test_job_order_name_keeps_name_order(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=replace(TEST_SETTINGS, job_order="name"))
        async with app.run_test(size=(120, 40)) as pilot:
            endpoint = await open_path(pilot, *ENDPOINT)
            names = [c.data.name for c in endpoint.children]
            assert names == sorted(names)
            created = [c.data.resource.created_at for c in endpoint.children]
            assert created != sorted(created, reverse=True)


def tree_rows_text(app: Any) -> list[str]:
    """The tree's rows on screen, as plain text."""
    tree = explorer(app).resource_tree
    return [tree.render_line(y).text for y in range(tree.size.height)]


class TestTreeOnScreen:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    async def test_rows_fit_the_pane_with_no_horizontal_scrollbar(
        self, sandbox: Sandbox, size: tuple[int, int]
    ) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=size) as pilot:
            await open_path(pilot, *ENDPOINT)
            tree = explorer(app).resource_tree
            assert not tree.show_horizontal_scrollbar
            assert tree.virtual_size.width <= tree.size.width
            rows = [r for r in tree_rows_text(app) if r.strip()]
            assert rows and all(len(r.rstrip()) <= tree.size.width for r in rows)
            jobs = [r for r in rows if "cup-final" in r or "…" in r]
            assert jobs

    async def test_windows_line_up_at_the_right_when_there_is_room(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(160, 40)) as pilot:
            endpoint = await open_path(pilot, *ENDPOINT)
            windows = [c.label.plain[c.data.column_at :] for c in endpoint.children]
            rows = tree_rows_text(app)
            ends = set()
            for window in windows:
                row = next(r for r in rows if window in r)
                ends.add(row.index(window) + len(window))
            assert len(ends) == 1, rows

    async def test_g_and_G_go_to_the_top_and_the_bottom(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_path(pilot, *ENDPOINT)
            tree = explorer(app).resource_tree
            await pilot.press("G")
            assert tree.cursor_line == tree.last_line > 0
            await pilot.press("g")
            assert tree.cursor_line == 0
            await pilot.press("end")
            assert tree.cursor_line == tree.last_line
            await pilot.press("home")
            assert tree.cursor_line == 0


class TestPanes:
    async def test_brackets_resize_the_tree_and_the_width_is_remembered(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        config = tmp_path / "config.toml"
        config.write_text("# my settings\n[settings]\nbell = false  # quiet\n", encoding="utf-8")
        app = make_app(sandbox)
        app.settings_path = config
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            tree = explorer(app).resource_tree
            before = tree.size.width
            await pilot.press("right_square_bracket", "right_square_bracket")
            await wait_for(pilot, lambda: "tree_width = 55" in config.read_text())
            await pilot.pause()
            assert tree.size.width > before
            await pilot.press(*["left_square_bracket"] * 20)  # stops at the narrowest
            await wait_for(pilot, lambda: "tree_width = 15" in config.read_text())
            assert app.settings.tree_width == 15
        text = config.read_text()
        assert "# my settings" in text and "bell = false  # quiet" in text
        loaded = load_config(config, must_exist=True)
        assert loaded is not None and loaded.settings.tree_width == 15

    async def test_the_remembered_width_is_used(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=replace(TEST_SETTINGS, tree_width=70))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert explorer(app).resource_tree.outer_size.width == 70

    async def test_z_zooms_the_focused_pane_and_back(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_path(pilot, *ENDPOINT, "cup-final-highlights")
            screen = explorer(app)
            tree, detail = screen.resource_tree, screen.detail
            await pilot.press("z")
            await pilot.pause()
            assert tree.outer_size.width == 80 and not detail.display
            await pilot.press("z")
            await pilot.pause()
            assert detail.display and tree.outer_size.width == 36
            await pilot.press("tab")  # the detail pane (it scrolls at 80x24)
            assert screen.focused is detail
            await pilot.press("z")
            await pilot.pause()
            assert not tree.display and detail.outer_size.width == 80
            await pilot.press("z")
            await pilot.pause()
            assert tree.display and detail.display


class TestSettings:
    @pytest.mark.parametrize(
        ("text", "words"),
        [
            (
                '[settings]\njob_order = "oldest"\n',
                ['job_order must be "newest" or "name"', "oldest"],
            ),
            ('[settings]\njob_order = "nme"\n', ['Did you mean "name"']),
            ("[settings]\njob_order = 1\n", ["job_order must be a string"]),
            ("[settings]\ntree_width = 99\n", ["tree_width", "from 15 to 85", "99"]),
            ('[settings]\nascii = "yes"\n', ["ascii must be a boolean"]),
        ],
    )
    def test_a_bad_value_says_what_is_wrong(
        self, tmp_path: Path, text: str, words: list[str]
    ) -> None:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            load_config(path, must_exist=True)
        message = str(caught.value)
        assert "line 2" in message
        for word in words:
            assert word in message

    def test_remember_setting_adds_replaces_and_creates(self, tmp_path: Path) -> None:
        path = tmp_path / "new" / "config.toml"
        remember_setting(path, "tree_width", 60)
        assert path.read_text() == "[settings]\ntree_width = 60\n"
        remember_setting(path, "tree_width", 40)
        assert path.read_text() == "[settings]\ntree_width = 40\n"
        other = tmp_path / "profiles.toml"
        other.write_text('[profiles.a]\nregions = ["us-east-1"]\n', encoding="utf-8")
        remember_setting(other, "tree_width", 30)
        loaded = load_config(other, must_exist=True)
        assert loaded is not None and loaded.settings.tree_width == 30
        assert list(loaded.profiles) == ["a"]

    def test_a_value_that_would_not_load_is_not_written(self, tmp_path: Path) -> None:
        path = tmp_path / "config.toml"
        path.write_text("[settings]\ntree_width = 50\n", encoding="utf-8")
        with pytest.raises(ConfigError):
            remember_setting(path, "tree_width", 5)
        assert path.read_text() == "[settings]\ntree_width = 50\n"

    def test_ascii_flag(self) -> None:
        assert build_parser(["--ascii"]).parse_args(["--ascii"]).ascii is True
        assert build_parser([]).parse_args([]).ascii is False


class TestHelpLegend:
    @pytest.mark.parametrize("ascii_only", [False, True])
    async def test_help_explains_every_glyph(self, sandbox: Sandbox, ascii_only: bool) -> None:
        app = make_app(sandbox, settings=replace(TEST_SETTINGS, ascii=ascii_only))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            legend = plain(app.screen.query_one("#help-legend").content)
            explained = [(STATUS_GLYPH[s], f"job {m}") for s, m in statuses.STATUS_MEANING.items()]
            explained += [(KIND_GLYPH[k], m) for k, m in statuses.KIND_MEANING.items()]
            for glyph, meaning in explained:
                found = re.search(rf"(^|\s){re.escape(glyph)}\s+{meaning}(\s|$)", legend, re.M)
                assert found, (glyph, meaning, legend)
            assert ("+ -" if ascii_only else "▶ ▼") in legend


class TestDeepLinkRequests:
    async def test_only_the_lists_on_the_path_and_one_get(self, sandbox: Sandbox) -> None:
        """No node on the way is selected (and so fetched): nothing but 4 lists and a Get."""
        from harvest_tui.deep_link import Target

        path = (
            "live-sports",
            "football-main",
            "cmaf-main",
            "football-main-highlights-20261101-1245",
        )
        app = make_app(sandbox, settings=replace(TEST_SETTINGS, poll_interval_seconds=3600))
        app.target = Target(path)
        sandbox.faults.latency_ms = 250  # each list outlasts the detail pane's 150 ms debounce
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            await wait_for(pilot, lambda: getattr(screen.detail.resource, "name", "") == path[3])
            await settle(pilot)
            assert screen.resource_tree.cursor_node.data.name == path[3]
            counts = {op: n for op, n in sandbox.request_counts.items() if n}
            assert counts == {
                "ListChannelGroups": 1,
                "ListChannels": 1,
                "ListOriginEndpoints": 1,
                "ListHarvestJobs": 1,
                "GetHarvestJob": 1,
            }

    def test_the_cli_prefetches_the_lists_on_a_links_path(self) -> None:
        """All at once at start-up; the tree's calls take these answers (worker prefetch)."""
        from harvest_tui.backend import ListChannels, ListHarvestJobs, ListOriginEndpoints
        from harvest_tui.deep_link import path_lists

        job_path = ("g", "c", "e", "j")
        assert path_lists(job_path) == [
            ListChannels("g"),
            ListOriginEndpoints("g", "c"),
            ListHarvestJobs("g", "c"),
        ]
        assert path_lists(job_path[:3]) == path_lists(job_path)  # the endpoint's jobs too
        assert path_lists(("g", "c")) == [ListChannels("g")]  # the channel is not opened
        assert path_lists(("g",)) == path_lists(()) == []

    def test_the_cli_prefetches_the_get_of_where_a_link_lands(self) -> None:
        """The detail pane's Get once the cursor rests on the linked node, asked for with
        the lists, so that the fresh detail does not wait a round trip of its own."""
        from harvest_tui.backend import (
            GetChannel,
            GetChannelGroup,
            GetHarvestJob,
            GetOriginEndpoint,
            get_at,
        )
        from harvest_tui.deep_link import link_requests, path_lists

        assert get_at(("g", "c", "e", "j")) == GetHarvestJob(("g", "c", "e", "j"))
        assert get_at(("g", "c", "e")) == GetOriginEndpoint("g", "c", "e")
        assert get_at(("g", "c")) == GetChannel("g", "c")
        assert get_at(("g",)) == GetChannelGroup("g")
        assert get_at(()) is None
        job = ("g", "c", "e", "j")
        assert link_requests(job) == [*path_lists(job), GetHarvestJob(job)]
        assert link_requests(()) == []


class TestColumnCut:
    def test_a_long_column_loses_its_left_end_so_the_quota_meter_stays(self) -> None:
        label = Text("▣ live-sports ◷3 ◐1 ✔4 ✖3 ⊘2 +3 unopened  active 6/10")
        row = fit_row(label, len("▣ live-sports") + 1, 50, "…")
        assert row.cell_len == 50
        assert row.plain.startswith("▣ live-sports ")
        assert row.plain.endswith("active 6/10")
        assert "…" in row.plain and "◷3" not in row.plain
        cut_at = row.plain.index("…")
        assert row.plain[cut_at + 1] == " "  # from a word's start, no half a count
