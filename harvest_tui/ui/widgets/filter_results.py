"""FilterResults: the loaded tree narrowed to the names that match a filter.

The explorer shows it in place of the ResourceTree while `/` has text: every group,
channel, endpoint and job whose name contains the text (case-insensitive), with
its ancestors, fully expanded, the match highlighted. The nodes share the tree's
NodeData, so the detail pane shows them as it shows the tree's; Enter goes to the
node in the tree itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from harvest_tui.ui.textual_private import one_invalidation
from harvest_tui.ui.widgets.tree_nodes import PLACEHOLDERS, NodeData
from harvest_tui.ui.widgets.tree_rows import RowTree

MATCH_STYLE = "bold reverse"
CONTAINERS = ("region", "group", "channel", "endpoint")


@dataclass
class Matches:
    """What a filter found in the loaded tree."""

    count: int
    unloaded: int  # containers whose children are not loaded yet: they may hold more


class FilterResults(RowTree):
    """Matches and their ancestors; Enter (or a click) goes to the node in the tree."""

    @dataclass
    class Chosen(Message):
        """The user picked a match: show that node in the tree."""

        source: TreeNode[NodeData]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    on_cursor: Callable[[TreeNode[NodeData]], None] | None = None  # Tree's init moves it

    def __init__(
        self,
        *,
        id: str | None = None,
        on_cursor: Callable[[TreeNode[NodeData]], None] | None = None,
    ) -> None:
        super().__init__("matches", NodeData("root", ""), id=id)
        self.show_root = False
        self.guide_depth = 3
        self.on_cursor = on_cursor
        self.sources: dict[int, TreeNode[NodeData]] = {}  # our node id -> the tree's node
        self.needle = ""  # the filter's text, casefolded

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        node = self.cursor_node
        if previous_line != line and node is not None and self.on_cursor is not None:
            self.on_cursor(node)

    def show_matches(self, source_root: TreeNode[NodeData], text: str) -> Matches:
        """Rebuild from `source_root`'s loaded nodes: those matching `text`, with ancestors."""
        self.clear()
        self.sources = {}
        needle = self.needle = text.casefold()
        found = Matches(0, 0)
        with one_invalidation(self):
            self._copy(source_root, self.root, needle, found)
        if found.count == 0:
            note = Text(f"nothing loaded matches “{text}”", style="dim italic")
            self.root.add_leaf(note, NodeData("empty", "", note=str(note)))
        first = self._first_match(self.root, needle)
        if first is not None:
            self.call_after_refresh(self._select, first)
        return found

    def _select(self, node: TreeNode[NodeData]) -> None:
        """The cursor on `node`, and the detail pane told even if the line is the same."""
        self.move_cursor(node)
        if self.on_cursor is not None:
            self.on_cursor(node)

    def _copy(
        self, source: TreeNode[NodeData], into: TreeNode[NodeData], needle: str, found: Matches
    ) -> bool:
        """Copy `source`'s matching descendants under `into`; True if any matched."""
        any_kept = False
        for child in source.children:
            data = child.data
            if data is None or data.kind in PLACEHOLDERS:
                continue
            if data.kind in CONTAINERS and not data.loaded:
                found.unloaded += 1
            matched = needle in data.name.casefold()
            if not matched and data.kind == "job":
                continue  # most of 10,000 jobs: never added, so never removed
            # The tree's own label: the match is highlighted only in rows drawn (row_label).
            node = into.add(child.label, data, expand=True, allow_expand=data.kind != "job")
            self.sources[node.id] = child
            below = self._copy(child, node, needle, found)
            if matched:
                found.count += 1
            if not (matched or below):
                node.remove()
                del self.sources[node.id]
                continue
            if not node.children:
                node.allow_expand = False
            any_kept = True
        return any_kept

    def row_label(self, node: TreeNode[NodeData]) -> Text:
        """The node's label, the filter's text in its name highlighted (for the rows on
        screen only: thousands of matches are not each copied and styled)."""
        label = super().row_label(node)
        name = node.data.name.casefold() if node.data is not None else ""
        at = name.find(self.needle) if self.needle else -1
        # The name follows the row's glyph and a space (an --ascii glyph is a letter too).
        plain = label.plain.casefold()
        start = plain.find(name, plain.find(" ") + 1) if at >= 0 else -1
        if start < 0:
            return label
        label = label.copy()
        label.stylize(MATCH_STYLE, start + at, start + at + len(self.needle))
        return label

    def _first_match(self, node: TreeNode[NodeData], needle: str) -> TreeNode[NodeData] | None:
        for child in node.children:
            data = child.data
            if data is None or data.kind in PLACEHOLDERS:
                continue
            if needle in data.name.casefold():
                return child
            found = self._first_match(child, needle)
            if found is not None:
                return found
        return None

    def _on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        source = self.sources.get(event.node.id)
        if source is not None:
            self.post_message(self.Chosen(source))
