"""Pins every use of Textual's private API (harvest_tui/ui/textual_private.py): if an
upgrade renames or changes one, these fail loudly instead of the app misbehaving."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Tree

from harvest_tui.ui.textual_private import (
    bound_line_cache,
    bounded_render_caches,
    columns_resized,
    number_lines,
    one_invalidation,
    reorder_children,
    share_css_parses,
    trim_render_caches,
    wrap_display,
)


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        tree: Tree[None] = Tree("root")
        tree.show_root = False
        for name in ("a", "b", "c"):
            tree.root.add_leaf(name)
        tree.root.expand()
        yield tree


async def test_reorder_children_moves_nodes_and_the_tree_redraws_them() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(Tree)
        a, b, c = tree.root.children
        reorder_children(tree.root, [c, a, b])
        await pilot.pause()
        assert [str(n.label) for n in tree.root.children] == ["c", "a", "b"]
        # The same node objects, and the lines the tree draws follow the new order.
        assert tree.root.children[0] is c
        tree.move_cursor(c)
        assert tree.cursor_line == 0
        assert [str(tree.get_node_at_line(i).label) for i in range(3)] == ["c", "a", "b"]


async def test_columns_resized_redraws_a_column_set_narrower_by_hand() -> None:
    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = TableApp()
    async with app.run_test(size=(40, 5)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("Name", key="name", width=20)
        table.add_column("Next", key="next", width=6)
        table.add_row("abcdefghijklmnopqrst", "x")
        await pilot.pause()
        assert "abcdefghijklmnopqrst" in table.render_line(1).text
        wide = table.virtual_size.width
        table.columns["name"].width = 8  # type: ignore[index]
        columns_resized(table)
        await pilot.pause()
        line = table.render_line(1).text
        assert "abcdefgh" in line and "abcdefghi" not in line and "x" in line
        assert table.virtual_size.width == wide - 12


async def test_wrap_display_sees_every_frame_handed_to_the_driver() -> None:
    frames: list[Any] = []
    app = TreeApp()

    def wrapper(display: Any) -> Any:
        def spy(screen: Any, renderable: Any) -> None:
            frames.append(renderable)
            display(screen, renderable)

        return spy

    async with app.run_test() as pilot:
        wrap_display(app, wrapper)
        app.query_one(Tree).root.add_leaf("d")
        await pilot.pause()
        await pilot.pause()
    assert any(frame is not None for frame in frames)


async def test_one_invalidation_adds_nodes_that_the_tree_then_draws() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(Tree)
        calls: list[int] = []
        refresh = tree.refresh

        def counting(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return refresh(*args, **kwargs)

        tree.refresh = counting  # type: ignore[method-assign]
        with one_invalidation(tree):
            for name in ("d", "e", "f"):
                tree.root.add_leaf(name)
        assert calls == [1]  # once, at the end, not once per node
        await pilot.pause()
        assert [str(tree.get_node_at_line(i).label) for i in range(6)] == list("abcdef")


async def test_number_lines_lets_move_cursor_reach_a_node_just_added() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(Tree)
        await pilot.pause()
        node = tree.root.add_leaf("new")
        assert node._line == -1  # not numbered until the tree is next idle
        number_lines(tree)
        tree.move_cursor(node)
        assert tree.cursor_node is node


async def test_bound_line_cache_keeps_at_most_that_many_lines() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(Tree)
        bound_line_cache(tree, 4)
        for name in "defghij":
            tree.root.add_leaf(name)
        await pilot.pause()
        for _ in range(10):  # each move draws lines under new cache keys
            await pilot.press("down")
        assert 0 < len(tree._line_cache) <= 4


async def test_trim_render_caches_empties_textual_and_rich_caches_and_frames_are_the_same() -> None:
    from rich.cells import cached_cell_len
    from rich.style import Style
    from textual.geometry import Region
    from textual.strip import Strip

    caches = bounded_render_caches()
    # What the soak saw fill (if one is renamed or goes, this says which).
    for cache in (Region.intersection, Style._add, Strip.render_ansi.__func__, cached_cell_len):
        assert cache in caches
    app = TreeApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.press("down", "down")
        before = app.export_screenshot()
        assert sum(c.cache_info().currsize for c in caches) > 0
        tree = app.query_one(Tree)
        assert len(tree._line_cache) > 0
        trim_render_caches(app)
        assert sum(c.cache_info().currsize for c in caches) == 0
        assert len(tree._line_cache) == 0
        tree.refresh()  # draws its lines anew
        await pilot.pause()
        await pilot.pause()
        assert app.export_screenshot() == before
        assert sum(c.cache_info().currsize for c in caches) > 0  # filled again by the frame
        assert len(tree._line_cache) > 0


def test_share_css_parses_reuses_the_rules_of_the_same_source_and_variables() -> None:
    from textual.color import Color
    from textual.css.stylesheet import Stylesheet

    share_css_parses()  # conftest did already; a second call changes nothing
    share_css_parses()

    def parsed(primary: str) -> Stylesheet:
        sheet = Stylesheet(variables={"primary": primary})
        sheet.add_source("Tree { color: $primary; }", read_from=("pinned.tcss", ""))
        sheet.parse()
        return sheet

    red, again, blue = parsed("red"), parsed("red"), parsed("blue")
    assert again.rules[0] is red.rules[0]  # not parsed a second time
    assert blue.rules[0] is not red.rules[0]  # the variables are part of the key
    assert red.rules[0].styles.color == Color.parse("red")
    assert blue.rules[0].styles.color == Color.parse("blue")
