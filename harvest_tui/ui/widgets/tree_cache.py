"""The tree's side of the warm start (view_cache.py holds the file): what of a
ResourceTree is cached, and how a cached view is put back and then refreshed.

`snapshot` takes the loaded, expanded part of the tree and the cursor. `restore`
builds the tree from a cached view, every restored row dimmed (`extra["cached"]`),
puts the cursor back (its detail is in the first frame). Once that frame is on screen
(`WarmStart.start`), the list of every restored, expanded node is asked for at once (the
CLI has sent them already, so the answers are often in): the fresh data comes one round
trip later, and replaces the cached rows node by node (ResourceTree.populate reconciles
by name, so what is gone is removed). `WarmStart` counts the lists still awaited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from harvest_tui.backend import Backend
from harvest_tui.models import JobCounts, JobStatus
from harvest_tui.ui.widgets.tree_nodes import PLACEHOLDERS, NodeData, Summary
from harvest_tui.view_cache import CachedNode, CachedView, ViewKey

CACHED = "cached"  # NodeData.extra key: the row is the cached view's, not refreshed yet
# (its value: when that view was saved, which a failed refresh shows as "stale since")


class ResourceTree(Protocol):
    """What of ResourceTree a warm start uses (it imports this module, not the reverse)."""

    backends: dict[str, Backend]
    departed: dict[Any, Any]
    quota: int
    statuses: tuple[JobStatus, ...] | None

    @property
    def root(self) -> TreeNode[NodeData]: ...
    @property
    def cursor_node(self) -> TreeNode[NodeData] | None: ...
    def clear(self) -> Tree[NodeData]: ...
    def populate(self, node: TreeNode[NodeData], items: list[object]) -> None: ...
    def relabel(self, node: TreeNode[NodeData]) -> None: ...
    def load_children(self, node: TreeNode[NodeData], *, deep: bool = False) -> None: ...
    def child_named(self, node: TreeNode[NodeData], name: str) -> TreeNode[NodeData] | None: ...


@dataclass
class WarmStart:
    """A restored view being refreshed: the lists (node id, "children" or "jobs") awaited."""

    saved_at: datetime
    to_refresh: list[TreeNode[NodeData]] = field(default_factory=list)
    pending: set[tuple[int, str]] = field(default_factory=set)

    def start(self, tree: ResourceTree) -> None:
        """Ask for every restored, expanded node's list (a channel's: its endpoints and its
        job list), all at once. Each is awaited from before it is asked for: a list whose
        prefetched answer is in is handled inside `load_children`."""
        nodes, self.to_refresh = self.to_refresh, []
        for node in nodes:
            self.pending.add((node.id, "children"))
            if node.data is not None and node.data.kind == "channel":
                self.pending.add((node.id, "jobs"))
        for node in nodes:
            data = node.data
            assert data is not None
            tree.load_children(node)
            # Not asked for (no backend, nothing to list), or answered already.
            if not data.loading:
                self.pending.discard((node.id, "children"))
            if not data.extra.get("jobs_loading"):
                self.pending.discard((node.id, "jobs"))

    def arrived(self, node: TreeNode[NodeData], what: str) -> bool:
        """Note an answer (or a failure); True when it was the last one awaited."""
        if (node.id, what) not in self.pending:
            return False
        self.pending.discard((node.id, what))
        return not self.pending


def snapshot(tree: ResourceTree, key: ViewKey, saved_at: datetime) -> CachedView:
    """The tree's loaded, expanded nodes and the cursor, as a view to cache."""
    return CachedView(
        key=key,
        saved_at=saved_at,
        top=[_cached(c, jobs=tree.statuses is None) for c in _resources(tree.root)],
        cursor=_path(tree, tree.cursor_node),
    )


def _resources(node: TreeNode[NodeData]) -> list[TreeNode[NodeData]]:
    return [c for c in node.children if c.data is not None and c.data.kind not in PLACEHOLDERS]


def _cached(node: TreeNode[NodeData], *, jobs: bool) -> CachedNode:
    """`jobs`: with the job lists and counts (not while a status filter narrows them: the
    next start shows every status)."""
    data = node.data
    assert data is not None
    out = CachedNode(data.kind, data.region, data.resource, expanded=node.is_expanded)
    errors = any(c.data is not None and c.data.kind == "error" for c in node.children)
    if node.is_expanded and data.loaded and not errors and (jobs or data.kind != "endpoint"):
        out.children = [_cached(c, jobs=jobs) for c in _resources(node)]
    if data.counts is not None and jobs:
        out.counts = dict(data.counts.counts)
    summary = data.extra.get("summary")
    if isinstance(summary, Summary) and jobs:
        out.summary = {
            "counts": dict(summary.counts.counts) if summary.counts is not None else None,
            "unopened": summary.unopened,
            "active": summary.active,
        }
    return out


def _path(tree: ResourceTree, node: TreeNode[NodeData] | None) -> tuple[str, ...]:
    names: list[str] = []
    while node is not None and node is not tree.root:
        if node.data is not None and node.data.kind not in PLACEHOLDERS:
            names.append(node.data.name)
        node = node.parent
    return tuple(reversed(names))


def restore(
    tree: ResourceTree, view: CachedView
) -> tuple[WarmStart, TreeNode[NodeData] | None] | None:
    """Show `view` in `tree` (whose backends are set) and refresh it: the refresh, and the
    node to put the cursor on. None (the tree untouched) when the view does not fit the
    tree's regions."""
    regions = list(tree.backends)
    several = len(regions) > 1
    kinds = {n.kind for n in view.top}
    if not view.top or kinds != ({"region"} if several else {"group"}):
        return None
    if any(not _in_regions(n, set(regions)) for n in view.top):
        return None
    tree.clear()
    tree.departed.clear()
    root = tree.root
    assert root.data is not None
    root.data.region = "" if several else regions[0]
    warm = WarmStart(view.saved_at)
    _fill(tree, root, view.top, warm, refresh=not several)
    cursor = _find(tree, view.cursor) or (root.children[0] if root.children else None)
    return warm, cursor


def _in_regions(node: CachedNode, regions: set[str]) -> bool:
    if node.region not in regions:
        return False
    return all(_in_regions(c, regions) for c in node.children or ())


def _fill(
    tree: ResourceTree,
    node: TreeNode[NodeData],
    cached: list[CachedNode],
    warm: WarmStart,
    *,
    refresh: bool,
) -> None:
    """`node`'s children from the cache, and their own when they were expanded."""
    assert node.data is not None
    items: list[Any] = [c.region if c.kind == "region" else c.resource for c in cached]
    tree.populate(node, items)
    if refresh:
        warm.to_refresh.append(node)
    by_name = {c.data.name: c for c in node.children if c.data is not None}
    for entry in cached:
        child = by_name.get(entry.name)
        if child is None or child.data is None:
            continue
        data = child.data
        if data.kind != "region":  # regions are the profile's, not a list's
            data.extra[CACHED] = warm.saved_at
        if entry.counts is not None:
            data.counts = JobCounts(entry.counts)
        if entry.summary is not None:
            counts = entry.summary["counts"]
            data.extra["summary"] = Summary(
                counts=JobCounts(counts) if counts is not None else None,
                unopened=entry.summary["unopened"],
                active=entry.summary["active"],
                quota=tree.quota,
            )
        tree.relabel(child)
        if entry.children is not None and entry.expanded and data.kind != "job":
            _fill(tree, child, entry.children, warm, refresh=data.kind != "endpoint")
            child.expand()


def _find(tree: ResourceTree, path: tuple[str, ...]) -> TreeNode[NodeData] | None:
    node: TreeNode[NodeData] | None = tree.root
    for name in path:
        if node is None:
            return None
        node = tree.child_named(node, name)
    return node if node is not tree.root else None
