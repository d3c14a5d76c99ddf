"""ResourceTree: channel group → channel → origin endpoint → harvest job.

Children load lazily: a node gets a "Loading…" placeholder child when it is
first expanded, and the app's workers answer with `populate` or `show_error`.
Repopulating reconciles by name, so a refresh keeps expansion and the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import ClassVar, Literal

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestJob,
    JobCounts,
    JobStatus,
    OriginEndpoint,
    Resource,
)
from harvest_tui.safe_text import clean
from harvest_tui.service import ServiceError
from harvest_tui.timeline import STATUS_GLYPH, STATUS_STYLE

NodeKind = Literal["region", "group", "channel", "endpoint", "job", "loading", "error"]
COUNT_ORDER = (
    JobStatus.QUEUED,
    JobStatus.IN_PROGRESS,
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
)
_CHILD_KIND: dict[str, NodeKind] = {
    "root": "group",
    "region": "group",
    "group": "channel",
    "channel": "endpoint",
    "endpoint": "job",
}


@dataclass
class NodeData:
    kind: NodeKind | Literal["root"]
    region: str
    resource: Resource | None = None
    error: ServiceError | None = None
    loaded: bool = False
    loading: bool = False
    counts: JobCounts | None = None  # endpoints: jobs per status, once known
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        if self.kind == "region":
            return self.region
        return getattr(self.resource, "name", "")


def window_text(job: HarvestJob, tz: tzinfo) -> str:
    """The harvest window, compact: '11-02 10:00–12:00' or across days."""
    start = job.schedule.start.astimezone(tz)
    end = job.schedule.end.astimezone(tz)
    if start.date() == end.date():
        return f"{start:%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"


def counts_text(counts: JobCounts) -> Text:
    text = Text()
    for status in COUNT_ORDER:
        n = counts.counts.get(status.value, 0)
        if n:
            text.append(f" {STATUS_GLYPH[status.value]}{n}", style=STATUS_STYLE[status.value])
    if not counts.total:
        text.append(" no jobs", style="dim")
    return text


def node_label(data: NodeData, tz: tzinfo) -> Text:
    """A node's label, built from sanitized plain strings: remote text is never markup."""
    r = data.resource
    if data.kind == "loading":
        return Text("Loading…", style="dim italic")
    if data.kind == "error" and data.error is not None:
        e = data.error
        label = Text(f"✖ {clean(e.title)}: ", style="bold red")
        label.append(clean(e.message, max_len=160), style="red")
        label.append("  (r to retry)", style="dim")
        return label
    if data.kind == "region":
        return Text(f"◎ {clean(data.region)}", style="bold")
    if isinstance(r, ChannelGroup):
        return Text(f"▣ {clean(r.name)}", style="bold")
    if isinstance(r, Channel):
        label = Text(f"◇ {clean(r.name)}")
        if r.input_type:
            label.append(f" {clean(r.input_type)}", style="dim")
        return label
    if isinstance(r, OriginEndpoint):
        label = Text(f"⌁ {clean(r.name)}")
        label.append(f" {clean(r.container_type)}", style="dim")
        if data.counts is not None:
            label.append_text(counts_text(data.counts))
        return label
    if isinstance(r, HarvestJob):
        status = str(r.status)
        label = Text(STATUS_GLYPH.get(status, "?") + " ", style=STATUS_STYLE.get(status, ""))
        label.append(clean(r.name))
        label.append(f" {window_text(r, tz)}", style="dim")
        return label
    return Text(clean(data.name))


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

    def __init__(self, *, tz: tzinfo, id: str | None = None) -> None:
        super().__init__("account", data=NodeData("root", ""), id=id)
        self.show_root = False
        self.auto_expand = True
        self.guide_depth = 3
        self.tz = tz

    # Building.

    def label_of(self, node: TreeNode[NodeData]) -> Text:
        assert node.data is not None
        return node_label(node.data, self.tz)

    def relabel(self, node: TreeNode[NodeData]) -> None:
        node.set_label(self.label_of(node))

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
        """Replace the children with one error node: code, message, and r to retry."""
        assert node.data is not None
        node.data.loading = False
        node.data.loaded = False
        node.remove_children()
        data = NodeData("error", node.data.region, error=error)
        node.add_leaf(node_label(data, self.tz), data)
        if node is not self.root:
            node.expand()

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
            if child.data is not None and child.data.kind == kind:
                existing[child.data.name] = child
            else:
                child.remove()
        wanted = {resource_key(item) for item in items}
        for name, child in list(existing.items()):
            if name not in wanted:
                child.remove()
                del existing[name]
        previous: TreeNode[NodeData] | None = None
        for item in items:
            name = resource_key(item)
            child = existing.get(name)
            if child is not None and child.data is not None:
                if not isinstance(item, str):
                    child.data.resource = item  # type: ignore[assignment]
                self.relabel(child)
            else:
                region = item if isinstance(item, str) else node.data.region
                data = NodeData(kind, region, resource=None if isinstance(item, str) else item)  # type: ignore[arg-type]
                label = node_label(data, self.tz)
                if previous is None:
                    child = node.add(label, data, before=0, allow_expand=kind != "job")
                else:
                    child = node.add(label, data, after=previous, allow_expand=kind != "job")
            previous = child

    # Queries.

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
