"""Pins every use of Textual's private API (harvest_tui/ui/textual_private.py): if an
upgrade renames or changes one, these fail loudly instead of the app misbehaving."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Tree

from harvest_tui.ui.textual_private import relayout, reorder_children, wrap_display


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


async def test_relayout_measures_a_label_that_grew_in_place() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(Tree)
        await pilot.pause()
        before = tree.virtual_size.width
        tree.root.children[0].set_label("a" * 60)
        await pilot.pause()
        assert tree.virtual_size.width == before  # set_label alone keeps the old width
        relayout(tree)
        await pilot.pause()
        assert tree.virtual_size.width > before + 50


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
