"""ResourceTree: channel group → channel → origin endpoint → harvest job.

Children load lazily: a node gets a "Loading…" placeholder child when it is
first expanded, and the app's workers answer with `populate` or `show_error`.
Repopulating reconciles by name, so a refresh keeps expansion and the cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode, UnknownNodeID

from harvest_tui.errors import ServiceError
from harvest_tui.models import (
    HarvestJob,
)
from harvest_tui.ui import bench
from harvest_tui.ui.widgets.tree_nodes import NodeData, NodeKind, node_label, same_text

_CHILD_KIND: dict[str, NodeKind] = {
    "root": "group",
    "region": "group",
    "group": "channel",
    "channel": "endpoint",
    "endpoint": "job",
}


def _unfinished(node: TreeNode[NodeData]) -> bool:
    job = node.data.resource if node.data is not None else None
    return isinstance(job, HarvestJob) and not job.finished


def _reorder(node: TreeNode[NodeData], ordered: list[TreeNode[NodeData]]) -> None:
    """Put `node`'s children in `ordered` order (they are the same nodes). Only needed if
    the kept children were out of the items' order; Textual has no public move."""
    node._children[:] = ordered
    node.tree._invalidate()


def resource_key(item: object) -> str:
    if isinstance(item, str):
        return item
    return getattr(item, "name", "")


class ResourceTree(Tree[NodeData]):
    """The account's resources, loaded lazily; keyboard first (arrows, j/k, h/l)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("l,right", "expand_or_child", "Expand", show=False),
        Binding("h,left", "collapse_or_parent", "Collapse", show=False),
    ]
    on_cursor: Callable[[TreeNode[NodeData]], None] | None = None

    def __init__(
        self,
        *,
        tz: tzinfo,
        id: str | None = None,
        on_cursor: Callable[[TreeNode[NodeData]], None] | None = None,
    ) -> None:
        super().__init__("account", data=NodeData("root", ""), id=id)
        self.show_root = False
        self.auto_expand = True
        self.guide_depth = 3
        self.tz = tz
        self.on_cursor = on_cursor

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        """As Tree's, and `on_cursor` at once with the new cursor node: whatever it shows
        of the node is painted in the same frame as the cursor (NodeHighlighted, a
        message, is handled after a frame may already have been painted)."""
        super().watch_cursor_line(previous_line, line)
        node = self.cursor_node
        if previous_line != line and node is not None and self.on_cursor is not None:
            self.on_cursor(node)

    # Building. Thousands of job nodes: no per-node work beyond the label itself.

    def process_label(self, label: str | Text) -> Text:
        """Our labels are one-line Text already: use them as they are (Tree copies each)."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        """As Tree's (toggle icon + label) without rendering a copy of every label."""
        width = node.label.cell_len  # type: ignore[union-attr]
        if node.allow_expand:
            width += cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        return width

    def label_of(self, node: TreeNode[NodeData]) -> Text:
        assert node.data is not None
        return node_label(node.data, self.tz)

    def relabel(self, node: TreeNode[NodeData]) -> None:
        """Rebuild `node`'s label; an unchanged one costs no repaint (set_label schedules one
        per call, which over thousands of jobs adds up)."""
        label = self.label_of(node)
        if not same_text(label, node.label):  # type: ignore[arg-type]
            node.set_label(label)

    def relabel_all(self) -> None:
        """Rebuild every label (after the UTC/local toggle)."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            self.relabel(node)
            stack.extend(node.children)

    def show_loading(self, node: TreeNode[NodeData]) -> None:
        assert node.data is not None
        node.data.loading = True
        if not node.children:
            node.add_leaf(self.label_of_kind("loading"), NodeData("loading", node.data.region))

    def label_of_kind(self, kind: NodeKind) -> Text:
        return node_label(NodeData(kind, ""), self.tz)

    def show_error(self, node: TreeNode[NodeData], error: ServiceError) -> None:
        """Replace the children with one error node: code, message, and r to retry.

        The node counts as loaded, so expanding it again does not retry by itself (that
        would loop on a persistent error); r retries.
        """
        assert node.data is not None
        node.data.loading = False
        node.data.loaded = True
        node.remove_children()
        data = NodeData("error", node.data.region, error=error)
        node.add_leaf(node_label(data, self.tz), data)
        if node is not self.root:
            node.expand()
        if bench.ENABLED:
            bench.error_shown(node, error)

    def populate(self, node: TreeNode[NodeData], items: list[object]) -> None:
        """Set `node`'s children to `items`, reusing the nodes whose names are unchanged."""
        assert node.data is not None
        node.data.loading = False
        node.data.loaded = True
        kind = _CHILD_KIND.get(node.data.kind)
        if kind is None:
            return
        if kind == "group" and items and isinstance(items[0], str):
            kind = "region"
        existing: dict[str, TreeNode[NodeData]] = {}
        for child in list(node.children):
            data = child.data
            if data is not None and data.kind == kind and data.name not in existing:
                existing[data.name] = child
            else:
                child.remove()  # a placeholder, an error, or a repeated name
        wanted = {resource_key(item) for item in items}
        for name, child in list(existing.items()):
            if name not in wanted:
                child.remove()
                del existing[name]
        # The kept children are already in the items' order (both sorted by name), so
        # each item's place is its index: new nodes go in by index, never by looking up
        # a neighbour (`after=node` scans the siblings: quadratic over 10,000 jobs).
        ordered: list[TreeNode[NodeData]] = []
        for item in items:
            name = resource_key(item)
            child = existing.pop(name, None)
            if child is not None and child.data is not None:
                if not isinstance(item, str):
                    child.data.resource = item  # type: ignore[assignment]
                self.relabel(child)
            elif ordered and ordered[-1].data is not None and ordered[-1].data.name == name:
                continue  # names are unique in their scope: a repeat (adjacent) is dropped
            else:
                region = item if isinstance(item, str) else node.data.region
                data = NodeData(kind, region, resource=None if isinstance(item, str) else item)  # type: ignore[arg-type]
                label = node_label(data, self.tz)
                child = node.add(label, data, before=len(ordered), allow_expand=kind != "job")
            ordered.append(child)
        if any(a is not b for a, b in zip(node.children, ordered, strict=True)):
            _reorder(node, ordered)
        node.data.by_name = None
        if kind == "job":
            node.data.unfinished = [c for c in ordered if _unfinished(c)] or None
        if bench.ENABLED:
            bench.populated(self, node, kind, len(items))

    # Queries. The poll tick and every job update ask these: they visit the containers
    # (groups, channels, endpoints), never each of thousands of job nodes.

    def contains(self, node: TreeNode[NodeData]) -> bool:
        """Whether `node` is in the tree now: not removed, not from before a `clear()`."""
        if node is self.root:
            return True
        try:
            if self.get_node_by_id(node.id) is not node:  # removing a node unregisters it
                return False
        except UnknownNodeID:
            return False
        while node.parent is not None:
            node = node.parent
        return node is self.root

    def shown(self, node: TreeNode[NodeData]) -> bool:
        """In the tree, under expanded nodes only (as `job_nodes()` finds them)."""
        parent = node.parent
        while parent is not None and parent is not self.root:
            if not parent.is_expanded:
                return False
            parent = parent.parent
        return parent is self.root and self.contains(node)

    def child_named(self, node: TreeNode[NodeData], name: str) -> TreeNode[NodeData] | None:
        """`node`'s child called `name`, through an index of its children by name."""
        assert node.data is not None
        child = node.data.by_name.get(name) if node.data.by_name is not None else None
        if child is None or child.parent is not node or not self.contains(child):
            node.data.by_name = {
                c.data.name: c
                for c in node.children
                if c.data is not None and c.data.kind not in ("loading", "error")
            }
            child = node.data.by_name.get(name)
        return child

    def job_node(self, region: str, key: tuple[str, str, str, str]) -> TreeNode[NodeData] | None:
        """The shown node of the job `key` (group, channel, endpoint, name) in `region`,
        found by name level by level."""
        node: TreeNode[NodeData] | None = self.root
        first = self.root.children[0] if self.root.children else None
        path = (region, *key) if first and first.data and first.data.kind == "region" else key
        for name in path:
            node = self.child_named(node, name) if node is not None else None
        if node is None or node.data is None or node.data.kind != "job":
            return None
        return node if self.shown(node) else None

    def job_nodes_of(self, region: str, key: tuple[str, str, str, str]) -> list[TreeNode[NodeData]]:
        """`job_node` as a list (empty or one node), for loops over `job_nodes()`."""
        node = self.job_node(region, key)
        return [node] if node is not None else []

    def unfinished_job_nodes(self) -> list[TreeNode[NodeData]]:
        """The nodes of `job_nodes()` whose job has not finished."""
        out: list[TreeNode[NodeData]] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            for child in node.children:
                data = child.data
                if data is None or not child.is_expanded:
                    continue
                if data.kind == "endpoint":
                    if data.unfinished:
                        data.unfinished = [
                            job
                            for job in data.unfinished
                            if job.parent is child and _unfinished(job) and self.contains(job)
                        ]
                        out.extend(data.unfinished)
                elif data.kind != "job":
                    stack.append(child)
        return out

    def endpoint_nodes(self, channel_node: TreeNode[NodeData]) -> list[TreeNode[NodeData]]:
        return [c for c in channel_node.children if c.data and c.data.kind == "endpoint"]

    def job_nodes(self) -> list[TreeNode[NodeData]]:
        """Every job node whose endpoint is expanded (the jobs a user can see)."""
        out: list[TreeNode[NodeData]] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            for child in node.children:
                if child.data is None:
                    continue
                if child.data.kind == "job":
                    out.append(child)
                elif child.is_expanded:
                    stack.append(child)
        return out

    def update_job(self, node: TreeNode[NodeData], job: HarvestJob) -> None:
        assert node.data is not None
        node.data.resource = job
        self.relabel(node)
        endpoint = node.parent
        if endpoint is not None and endpoint.data is not None and not job.finished:
            noted = endpoint.data.unfinished
            if noted is None:
                endpoint.data.unfinished = [node]
            elif not any(n is node for n in noted):
                noted.append(node)

    @property
    def cursor_data(self) -> NodeData | None:
        node = self.cursor_node
        return node.data if node is not None else None

    # Keyboard.

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
