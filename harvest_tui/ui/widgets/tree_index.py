"""IndexedTree: the resource tree's node index, its labels and its roll-ups.

ResourceTree (resource_tree.py) loads the tree; this is what it builds on to find and
sum up what is loaded, asking the service for nothing: whether a node is still in the
tree and shown; a node by its names, through each node's index of its children by name;
the shown job nodes and the unfinished ones; a job's fresh state on its row; a node's
label (rebuilt only when it changed); and the roll-ups: an endpoint's, a channel's and a
group's counts, the channel groups to poll, a group's active jobs against its quota (the
quota meter), and how old a group's counts are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual.widgets.tree import TreeNode, UnknownNodeID

from harvest_tui.models import HarvestJob, JobCounts, JobStatus
from harvest_tui.timefmt import format_duration
from harvest_tui.ui.widgets.tree_cache import CACHED
from harvest_tui.ui.widgets.tree_nodes import PLACEHOLDERS, NodeData, Summary, node_label, same_text
from harvest_tui.ui.widgets.tree_rows import RowTree


def is_unfinished(node: TreeNode[NodeData]) -> bool:
    """Whether the node is a harvest job that has not finished (queued or in progress)."""
    job = node.data.resource if node.data is not None else None
    return isinstance(job, HarvestJob) and not job.finished


def listed_jobs(channel: NodeData) -> dict[str, list[HarvestJob]] | None:
    """A channel's listed jobs, by endpoint name; None before its list is in."""
    jobs = channel.extra.get("jobs")
    return jobs if isinstance(jobs, dict) else None


def channel_rows(group: TreeNode[NodeData]) -> list[NodeData]:
    """The data of a group's channel rows (not its placeholder rows)."""
    return [c.data for c in group.children if c.data and c.data.kind == "channel"]


class IndexedTree(RowTree):
    """A RowTree of the account's resources: its node index, labels and roll-ups (see the
    module's doc); ResourceTree loads it."""

    def __init__(
        self, label: str, data: NodeData, *, tz: tzinfo, quota: int = 0, id: str | None = None
    ) -> None:
        super().__init__(label, data=data, id=id)
        self.quota = quota  # active jobs per channel group (0: no meter)
        self.tz = tz
        self.statuses: tuple[JobStatus, ...] | None = None  # only jobs in these (None: all)

    # Labels.

    def label_of(self, node: TreeNode[NodeData]) -> Text:
        assert node.data is not None
        label = node_label(node.data, self.tz)
        if node.data.extra.get(CACHED):  # the warm start's, until its list is read again
            label.stylize("dim")
        return label

    def relabel(self, node: TreeNode[NodeData]) -> None:
        """Rebuild `node`'s label; an unchanged one costs no repaint (set_label schedules one
        per call, which over thousands of jobs adds up)."""
        if node is self.root:
            return
        label = self.label_of(node)
        current = node.label
        if not isinstance(current, Text) or not same_text(label, current):
            node.set_label(label)

    def relabel_all(self) -> None:
        """Rebuild every label (after the UTC/local toggle)."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            self.relabel(node)
            stack.extend(node.children)

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
                if c.data is not None and c.data.kind not in PLACEHOLDERS
            }
            child = node.data.by_name.get(name)
        return child

    def node_at(self, region: str, names: tuple[str, ...]) -> TreeNode[NodeData] | None:
        """The node at `names` (group[, channel[, endpoint[, job]]]) in `region`, loaded or
        not shown, found by name level by level."""
        node: TreeNode[NodeData] | None = self.root
        first = self.root.children[0] if self.root.children else None
        path = (region, *names) if first and first.data and first.data.kind == "region" else names
        for name in path:
            node = self.child_named(node, name) if node is not None else None
        return node

    def job_node(self, region: str, key: tuple[str, str, str, str]) -> TreeNode[NodeData] | None:
        """The shown node of the job `key` (group, channel, endpoint, name) in `region`."""
        node = self.node_at(region, key)
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
                            if job.parent is child and is_unfinished(job) and self.contains(job)
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

    def recount(self, endpoint_node: TreeNode[NodeData] | None) -> None:
        """An endpoint's status counts, from the jobs it shows."""
        if endpoint_node is None or endpoint_node.data is None:
            return
        jobs = [c.data.resource for c in endpoint_node.children if c.data and c.data.resource]
        endpoint_node.data.counts = JobCounts.of([j for j in jobs if isinstance(j, HarvestJob)])
        self.relabel(endpoint_node)

    # Roll-ups, fresh counts and the quota meter. A channel's counts are those of its one
    # job list (kept in its `extra["jobs"]`), a group's the sum of its loaded channels';
    # a group's active jobs (`extra["active"]`) come from its lists and the group watcher's.
    # Fresh job states update the lists, so a collapsed endpoint's counts stay current
    # (ResourceTree's note_active, apply_active and apply_job keep both).

    def group_nodes(self) -> list[TreeNode[NodeData]]:
        tops = [
            node
            for top in self.root.children
            for node in (top.children if top.data and top.data.kind == "region" else [top])
        ]
        return [n for n in tops if n.data is not None and n.data.kind == "group"]

    def groups_to_poll(self) -> list[tuple[str, str]]:
        """The expanded channel groups, and every group until it has been listed once (for
        its quota meter): the group watcher lists their active jobs. Not a group whose
        every channel is having its jobs listed: those lists will answer the poll, and
        more (GroupListed), so it is marked to wait for them."""
        keys = []
        for n in self.group_nodes():
            data = n.data
            if data is None or not (n.is_expanded or "active_at" not in data.extra):
                continue
            channels = channel_rows(n)
            loading = [c.extra.get("jobs_loading") is not None for c in channels]
            if channels and self.statuses is None and all(loading):
                data.extra["listed_by_channels"] = True
                continue
            data.extra.pop("listed_by_channels", None)
            keys.append((data.region, data.name))
        return keys

    def active_jobs(self) -> list[tuple[str, HarvestJob]]:
        """Every queued and in-progress job known in the loaded channel groups."""
        out: list[tuple[str, HarvestJob]] = []
        for node in self.group_nodes():
            assert node.data is not None
            active = node.data.extra.get("active")
            if isinstance(active, dict):
                out.extend((node.data.region, job) for job in active.values())
        return out

    def roll_up(self, channel_node: TreeNode[NodeData]) -> None:
        """A channel's counts from its job list, then its group's."""
        data = channel_node.data
        assert data is not None
        listed = listed_jobs(data)
        if listed is not None:
            counts = JobCounts.of([job for jobs in listed.values() for job in jobs])
            self.set_summary(channel_node, Summary(counts=counts))
        if channel_node.parent is not None:
            self.summarize_group(channel_node.parent)

    def summarize_group(self, group_node: TreeNode[NodeData]) -> None:
        """A group's row: its loaded channels' counts summed, and its active jobs."""
        data = group_node.data
        if data is None or data.kind != "group":
            return
        channels = [c for c in group_node.children if c.data and c.data.kind == "channel"]
        rolled = [
            s.counts
            for c in channels
            if c.data is not None
            and isinstance(s := c.data.extra.get("summary"), Summary)
            and s.counts is not None
        ]
        counts: JobCounts | None = None
        if rolled:
            total: dict[str, int] = {}
            for c in rolled:
                for status, n in c.counts.items():
                    total[status] = total.get(status, 0) + n
            counts = JobCounts(total)
        active = data.extra.get("active") if "active_at" in data.extra else None
        before = data.extra.get("summary")
        summary = Summary(
            counts=counts,
            unopened=len(channels) - len(rolled) if rolled else 0,
            active=len(active) if isinstance(active, dict) else None,
            quota=self.quota,
            age=before.age if isinstance(before, Summary) else "",
        )
        self.set_summary(group_node, summary)

    def set_summary(self, node: TreeNode[NodeData], summary: Summary) -> None:
        assert node.data is not None
        if node.data.extra.get("summary") != summary:
            node.data.extra["summary"] = summary
            self.relabel(node)  # rows are laid out to the pane: no width to re-measure

    def show_ages(self, now: datetime, stale_after: timedelta) -> None:
        """Say how old a group's counts are once they may be stale (not listed lately)."""
        for node in self.group_nodes():
            assert node.data is not None
            at, summary = node.data.extra.get("active_at"), node.data.extra.get("summary")
            if not isinstance(at, datetime) or not isinstance(summary, Summary):
                continue
            age = now - at
            words = format_duration(age, parts=1) if age > stale_after else ""
            self.set_summary(node, replace(summary, age=words))
