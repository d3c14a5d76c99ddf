"""ResourceTree: channel group → channel → origin endpoint → harvest job.

It owns its loading, as Textual's DirectoryTree does: expanding a node shows a
"Loading…" child and starts the node's one list call (through the backend of the
node's region); a thread worker waits for the answer and posts it back to the tree,
which fills the node on the UI thread. Repopulating reconciles by name, so a refresh
keeps expansion and the cursor; a refresh that fails keeps the children it had,
marked stale. The tree posts upward what others react to: the jobs it listed.

This module holds the loading (and deep links, prefetch, and the rows it builds from
the answers); the node index, the labels and the roll-ups it builds on (finding a node
by name, the shown job nodes, the counts and the quota meter) are IndexedTree's, in
tree_index.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from harvest_tui.backend import (
    Backend,
    ListChannelGroups,
    ListChannels,
    ListOriginEndpoints,
    Request,
    answered,
)
from harvest_tui.deep_link import LEVELS
from harvest_tui.errors import ServiceError
from harvest_tui.history import WatchKey
from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestJob,
    JobCounts,
    JobStatus,
    OriginEndpoint,
)
from harvest_tui.safe_text import clean
from harvest_tui.ui import bench
from harvest_tui.ui.calls import begin_call, jobs_call
from harvest_tui.ui.prefetch import Finish, ListKey, PrefetchArrived, Prefetcher
from harvest_tui.ui.textual_private import number_lines, reorder_children
from harvest_tui.ui.widgets.tree_cache import CACHED, WarmStart, restore
from harvest_tui.ui.widgets.tree_index import IndexedTree, channel_rows, is_unfinished, listed_jobs
from harvest_tui.ui.widgets.tree_nodes import PLACEHOLDERS, NodeData, NodeKind, node_label
from harvest_tui.view_cache import CachedView

_CHILD_KIND: dict[str, NodeKind] = {
    "root": "group",
    "region": "group",
    "group": "channel",
    "channel": "endpoint",
    "endpoint": "job",
}
CHILDREN: ListKey = ("children",)  # a node's one list call (children_request)
JOBS: ListKey = ("jobs",)  # a channel's job list, for its endpoints
_EMPTY_NOTE = {
    "group": "no channel groups",
    "channel": "no channels",
    "endpoint": "no origin endpoints",
    "job": "no harvest jobs",
}


def _active(data: NodeData) -> dict[tuple[str, str, str, str], HarvestJob]:
    """A group's queued and in-progress jobs by key, as far as known."""
    active = data.extra.get("active")
    if not isinstance(active, dict):
        active = data.extra["active"] = {}
    return active


def _jobs_in(finish: Callable[[], list[object]]) -> list[HarvestJob]:
    return [job for job in finish() if isinstance(job, HarvestJob)]


def resource_key(item: object) -> str:
    if isinstance(item, str):
        return item
    return getattr(item, "name", "")


def children_request(data: NodeData) -> Request[list[object]] | None:
    """The one list call for a node's children; None for none."""
    r = data.resource
    request: Request[list[object]] | None = None
    if data.kind in ("root", "region"):
        request = ListChannelGroups()  # type: ignore[assignment]
    elif data.kind == "group" and isinstance(r, ChannelGroup):
        request = ListChannels(r.name)  # type: ignore[assignment]
    elif data.kind == "channel" and isinstance(r, Channel):
        request = ListOriginEndpoints(r.group_name, r.name)  # type: ignore[assignment]
    return request


def error_scope(node: TreeNode[NodeData] | None) -> str:
    """What an error node's parent was loading, in words: "the channels of live-sports"."""
    data = node.data if node is not None else None
    if data is None or data.kind == "root":
        named = data is not None and data.region not in ("", "default")  # "default": none
        region = f" in {clean(data.region)}" if data is not None and named else ""
        return f"the channel groups{region}"
    name = clean(data.name, max_len=80)
    return {
        "region": f"the channel groups in {name}",
        "group": f"the channels of channel group {name}",
        "channel": f"the origin endpoints of channel {name}",
        "endpoint": f"the harvest jobs of origin endpoint {name}",
    }.get(data.kind, name)


def newest_first(jobs: list[object]) -> list[object]:
    """Jobs by CreatedAt, the newest first (by name among jobs created together)."""
    by_name = sorted(jobs, key=resource_key)
    return sorted(by_name, key=lambda j: getattr(j, "created_at", _EPOCH), reverse=True)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ResourceTree(IndexedTree):
    """The account's resources, loaded lazily; keyboard first (arrows, j/k, h/l, g/G)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("l,right", "expand_or_child", "Expand", show=False),
        Binding("h,left", "collapse_or_parent", "Collapse", show=False),
    ]
    on_cursor: Callable[[TreeNode[NodeData]], None] | None = None  # Tree's init moves it

    @dataclass
    class JobsListed(Message):
        """Jobs arrived in a list (their statuses, for the timeline's history)."""

        region: str
        jobs: list[HarvestJob]

    @dataclass
    class GroupListed(Message):
        """Every channel of a channel group has just had its jobs listed, while the group
        watcher held back its poll of the group for them: these lists are its answer."""

        region: str
        group: str
        jobs: list[HarvestJob]

    @dataclass
    class ViewRefreshed(Message):
        """Every list of a cached view (the warm start) has been answered."""

    @dataclass
    class _ChildrenLoaded(Message):
        node: TreeNode[NodeData]
        items: list[object]
        bubble: ClassVar[bool] = False

    @dataclass
    class _ChildrenFailed(Message):
        node: TreeNode[NodeData]
        error: ServiceError
        bubble: ClassVar[bool] = False

    @dataclass
    class _ChannelJobs(Message):
        """Every job of a channel (one ListHarvestJobs page chain), for its endpoints."""

        channel_node: TreeNode[NodeData]
        jobs: list[HarvestJob]
        error: ServiceError | None = None
        load: object = None  # which read of the list (load_channel_jobs); None: not one
        statuses: tuple[JobStatus, ...] | None = None  # the status filter it was read with
        bubble: ClassVar[bool] = False

    def __init__(
        self,
        *,
        tz: tzinfo,
        id: str | None = None,
        on_cursor: Callable[[TreeNode[NodeData]], None] | None = None,
        quota: int = 0,
        job_order: str = "newest",
    ) -> None:
        self.prefetch = Prefetcher(  # before Tree's init, which moves the cursor
            self, wanted=self._prefetch_wanted, begin=self._prefetch_begin, alive=self.contains
        )
        super().__init__("account", data=NodeData("root", ""), tz=tz, quota=quota, id=id)
        self.job_order = job_order  # an endpoint's jobs: "newest" first, or by "name"
        # Jobs loaded as active that a group's list no longer has: finished (or deleted)
        # since; each is fetched once (by the job watcher) for its final state.
        self.departed: dict[WatchKey, HarvestJob] = {}
        self.show_root = False
        self.auto_expand = True
        self.guide_depth = 3
        self.on_cursor = on_cursor
        self.backends: dict[str, Backend] = {}
        self.first_frame_shown = False
        self._before_first_frame: list[Message] = []
        # A deep link being opened: the names still to find, under which node.
        self._reveal: list[str] = []
        self._reveal_at: TreeNode[NodeData] | None = None
        self.warm: WarmStart | None = None  # a cached view shown, being refreshed

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        """As Tree's, and `on_cursor` at once with the new cursor node: whatever it shows
        of the node is painted in the same frame as the cursor (NodeHighlighted, a
        message, is handled after a frame may already have been painted)."""
        super().watch_cursor_line(previous_line, line)
        node = self.cursor_node
        if previous_line != line and node is not None and self.on_cursor is not None:
            self.on_cursor(node)
        if previous_line != line:
            self.prefetch.cursor_moved(node)

    def _cursor_node_changed(self) -> None:
        """The node under the cursor may have changed in place (loaded, failed, replaced):
        show it again once the tree's lines are rebuilt (the cursor keeps its line)."""
        self.call_after_refresh(self._show_cursor_node)

    def _show_cursor_node(self) -> None:
        node = self.cursor_node
        if node is not None and self.on_cursor is not None:
            self.on_cursor(node)

    # Loading.

    def connect(self, backends: dict[str, Backend], view: CachedView | None = None) -> None:
        """Show the account behind `backends` (one per region), loaded afresh; `view`:
        first as it was cached (the warm start), then refreshed."""
        self.backends = backends
        try:
            restored = restore(self, view) if view is not None else None
        except Exception as exc:  # a view that got past its checks yet does not fit
            problem = f"Could not show the cached view ({type(exc).__name__}): starting afresh."
            self.notify(problem, severity="warning", markup=False)
            restored = None
        if restored is None:
            self.reload_all()
            return
        self.warm, cursor = restored
        if cursor is not None:
            number_lines(self)  # its line now: its detail is in the same frame
            self.move_cursor(cursor)
        if self.first_frame_shown:  # else once the first frame is on screen
            self._refresh_warm()

    def _refresh_warm(self) -> None:
        """Read the warm start's lists again (ViewRefreshed once every one is in)."""
        warm = self.warm
        assert warm is not None
        warm.start(self)
        if self.warm is warm and not warm.pending:  # every answer was in already
            self.warm = None
            self.post_message(self.ViewRefreshed())

    def _arrived(self, node: TreeNode[NodeData], what: str) -> None:
        """A list of the warm start's refresh is in (or failed)."""
        if self.warm is not None and self.warm.arrived(node, what):
            self.warm = None
            self.post_message(self.ViewRefreshed())

    def reload_all(self) -> None:
        """Clear the tree and load its top level again."""
        self.warm = None
        self.clear()
        self.departed.clear()
        self.prefetch.clear()
        root = self.root
        assert root.data is not None
        root.data.loaded = False
        regions = list(self.backends)
        if len(regions) > 1:
            self.populate(root, regions)  # type: ignore[arg-type]
            for node in root.children:
                node.expand()
        else:
            root.data.region = regions[0] if regions else ""
            self.show_loading(root)
            self.load_children(root)

    def first_frame(self) -> None:
        """The first frame is on screen: show what arrived before it (an answer that
        beats it, as the prefetched channel groups often do, would hold it back)."""
        self.first_frame_shown = True
        if self.warm is not None:  # the cached view is on screen: now refresh it
            self._refresh_warm()
        waiting, self._before_first_frame = self._before_first_frame, []
        for message in waiting:
            self.post_message(message)

    def _held(self, message: Message) -> bool:
        if self.first_frame_shown:
            return False
        self._before_first_frame.append(message)
        return True

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        node = event.node
        data = node.data
        if data is None or data.loaded or data.loading:
            return
        if any(c.data is not None and c.data.kind == "error" for c in node.children):
            # show_error expands the node to show its error: that must not load it again
            # (a denied call would repeat as fast as the loop turns). r retries.
            return
        if data.kind == "endpoint":
            self.fill_endpoint(node)
            if self._reveal:
                self._advance_reveal()
            return
        if self._expand_prefetched(node):
            return
        self.show_loading(node)
        self.load_children(node)

    def backend_of(self, data: NodeData) -> Backend | None:
        return self.backends.get(data.region)

    def jobs_call(
        self, backend: Backend, group: str, channel: str, endpoint: str | None = None
    ) -> Callable[[], list[HarvestJob]]:
        """Start the job list of a channel (or endpoint): one page chain, or one per status
        of the status filter (the API takes one status), merged by name."""
        return jobs_call(self, backend, group, channel, endpoint, self.statuses)

    def set_status_filter(self, statuses: tuple[JobStatus, ...] | None) -> None:
        """Show only jobs in `statuses` (None: all): every loaded job list is read again,
        with the status sent to the service."""
        self.statuses = statuses
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            data = node.data
            if data is None:
                continue
            if data.kind == "channel" and data.loaded:
                self.load_channel_jobs(node)
            elif data.kind in ("region", "group"):
                stack.extend(node.children)

    def load_children(self, node: TreeNode[NodeData], *, deep: bool = False) -> None:
        """Start the node's list call; the answer fills it (`deep`: and refreshes its
        expanded, loaded children once it has)."""
        data = node.data
        assert data is not None
        backend = self.backend_of(data)
        resource = data.resource
        request = children_request(data)
        finish: Callable[[], list[object]]
        if backend is not None and data.kind == "endpoint" and isinstance(resource, OriginEndpoint):
            r = resource
            finish = self.jobs_call(backend, r.group_name, r.channel_name, r.name)  # type: ignore[assignment]
        elif backend is not None and request is not None:
            finish = self._prefetched(node, CHILDREN) or begin_call(self, backend, request)
        else:
            return
        data.loading = True
        data.extra["deep"] = deep
        ready = answered(finish)
        if not ready:
            self.run_worker(
                partial(self._wait_for_children, node, finish),
                name="children",
                group=f"children-{node.id}",
                thread=True,
                exclusive=True,
                exit_on_error=False,
            )
        if data.kind == "channel":
            # Alongside the endpoints, not after them: their job counts, and their jobs
            # once expanded, come from this one list.
            self.load_channel_jobs(node)
        if ready:
            # Its answer is in already (a deep link's prefetched list): the node fills
            # now, not after a thread worker's round trip and a frame, level after level.
            self.workers.cancel_group(self, f"children-{node.id}")
            self._handle_now(self._message_for_children(node, finish))

    def _handle_now(self, message: Message) -> None:
        """`message`, made from an answer that is in already, handled in this call as
        its handler would handle it posted (`_on_<handler name>`)."""
        getattr(self, f"_{message.handler_name}")(message)

    def load_channel_jobs(self, node: TreeNode[NodeData]) -> None:
        """Every job of a channel in one list (per status filtered), for its endpoints."""
        data = node.data
        resource = data.resource if data is not None else None
        backend = self.backend_of(data) if data is not None else None
        if backend is None or not isinstance(resource, Channel):
            return
        # This read, until its answer is in: an answer to an earlier read (a status filter
        # since changed, an `r`) arriving after it is not used.
        load = object()
        assert data is not None  # a Channel resource has its data
        data.extra["jobs_loading"] = load
        prefetched = self._prefetched(node, JOBS)
        jobs: Callable[[], list[HarvestJob]]
        if prefetched is not None:
            jobs = partial(_jobs_in, prefetched)
        else:
            jobs = self.jobs_call(backend, resource.group_name, resource.name)
        read = partial(self._message_for_channel_jobs, node, jobs, load, self.statuses)
        if answered(jobs):  # a deep link's prefetched list: no thread, no frame between
            self.workers.cancel_group(self, f"channel-jobs-{node.id}")
            self._handle_now(read())
            return
        self.run_worker(
            partial(self._wait_for_channel_jobs, read),
            name="channel-jobs",
            group=f"channel-jobs-{node.id}",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _message_for_children(
        self, node: TreeNode[NodeData], finish: Callable[[], list[object]]
    ) -> _ChildrenLoaded | _ChildrenFailed:
        """Wait for the node's children: the message that fills the node, or says why not."""
        try:
            return self._ChildrenLoaded(node, finish())
        except ServiceError as error:
            return self._ChildrenFailed(node, error)

    def _wait_for_children(
        self, node: TreeNode[NodeData], finish: Callable[[], list[object]]
    ) -> None:
        """In a thread worker: the node's children, posted back to the tree."""
        message = self._message_for_children(node, finish)
        if not get_current_worker().is_cancelled:
            self.post_message(message)

    def _message_for_channel_jobs(
        self,
        node: TreeNode[NodeData],
        finish: Callable[[], list[HarvestJob]],
        load: object,
        statuses: tuple[JobStatus, ...] | None,
    ) -> _ChannelJobs:
        """Wait for one ListHarvestJobs page chain for the whole channel."""
        try:
            return self._ChannelJobs(node, finish(), load=load, statuses=statuses)
        except ServiceError as error:
            return self._ChannelJobs(node, [], error, load=load, statuses=statuses)

    def _wait_for_channel_jobs(self, read: Callable[[], _ChannelJobs]) -> None:
        """In a thread worker: the channel's jobs, posted back to the tree."""
        self.post_message(read())

    def _on_resource_tree__children_loaded(self, message: _ChildrenLoaded) -> None:
        if self._held(message):
            return
        node = message.node
        if not self.contains(node) or node.data is None:
            return
        self._arrived(node, "children")
        node.data.stale = None
        self.relabel(node)
        self.populate(node, message.items)
        if self.cursor_node is None and node.children and not self._reveal:
            self.move_cursor(node.children[0])
        if node.data.kind == "endpoint":
            jobs = [j for j in message.items if isinstance(j, HarvestJob)]
            node.data.counts = JobCounts.of(jobs)
            self.relabel(node)
            self.post_message(self.JobsListed(node.data.region, jobs))
        if node.data.kind == "channel":
            self.fill_endpoints_from_cache(node)
        if node.data.kind == "group":
            self.summarize_group(node)
        if node.data.extra.pop("deep", False):
            for child in node.children:
                # A channel's job list already refreshes its endpoints.
                if child.data and child.data.kind == "endpoint":
                    continue
                if child.is_expanded and child.data and child.data.loaded:
                    self.refresh_node(child)
        self._cursor_node_changed()
        if self._reveal:
            self._advance_reveal()

    def _on_resource_tree__children_failed(self, message: _ChildrenFailed) -> None:
        if self._held(message) or not self.contains(message.node):
            return
        node = message.node
        assert node.data is not None
        node.data.extra.pop("deep", None)
        self._arrived(node, "children")
        if self.has_resources(node):
            # A refresh that failed: keep what was loaded, and say it is stale.
            node.data.loading = False
            node.data.stale, node.data.stale_since = message.error, self._loaded_at(node)
            self.relabel(node)
            self.notify(
                f"Could not refresh {clean(node.data.name) or 'the account'}: "
                f"{clean(message.error.title)}. Showing what was loaded before.",
                severity="warning",
                markup=False,
            )
        else:
            self.show_error(node, message.error)
        if self.cursor_node is None and node.children:
            # Nothing selected yet (the first load failed): select the error, so the
            # detail pane explains it at once.
            self.move_cursor(node.children[0])
        self._cursor_node_changed()
        if self._reveal:
            self._advance_reveal()

    def _on_resource_tree__channel_jobs(self, message: _ChannelJobs) -> None:
        node = message.channel_node
        if not self.contains(node) or node.data is None:
            return
        extra = node.data.extra
        if message.load is not None:
            if extra.get("jobs_loading") is not message.load:
                return  # an earlier read's answer: a later one is on its way, or in
            del extra["jobs_loading"]
        extra["jobs_statuses"] = message.statuses
        self._arrived(node, "jobs")
        if message.error is not None:
            node.data.extra["jobs_error"] = message.error
        else:
            by_endpoint: dict[str, list[HarvestJob]] = {}
            for job in message.jobs:
                by_endpoint.setdefault(job.endpoint_name, []).append(job)
            node.data.extra["jobs"] = by_endpoint
            node.data.extra.pop("jobs_error", None)
            self.post_message(self.JobsListed(node.data.region, message.jobs))
            if node.parent is not None:
                self.note_active(node.parent, message.jobs)
        self.fill_endpoints_from_cache(node)
        self.roll_up(node)
        if node.parent is not None:
            self._group_listed(node.parent)
        self._cursor_node_changed()
        if self._reveal:
            self._advance_reveal()

    def _group_listed(self, group: TreeNode[NodeData]) -> None:
        """If the group's poll was held back for its channels' lists and the last of them
        is in, they are the poll's answer (GroupListed)."""
        data = group.data
        if data is None or not data.extra.get("listed_by_channels"):
            return
        channels = channel_rows(group)
        if any(c.extra.get("jobs_loading") is not None for c in channels):
            return
        del data.extra["listed_by_channels"]
        if self.statuses is not None or any(
            "jobs_error" in c.extra or listed_jobs(c) is None or c.extra.get("jobs_statuses")
            for c in channels
        ):
            return  # not all of the group's jobs: the poll goes out
        jobs = [j for c in channels for js in (listed_jobs(c) or {}).values() for j in js]
        self.post_message(self.GroupListed(data.region, data.name, jobs))

    def fill_endpoints_from_cache(self, channel_node: TreeNode[NodeData]) -> None:
        assert channel_node.data is not None
        by_endpoint = listed_jobs(channel_node.data)
        error = channel_node.data.extra.get("jobs_error")
        for child in self.endpoint_nodes(channel_node):
            assert child.data is not None
            if by_endpoint is not None and error is None:
                jobs = by_endpoint.get(child.data.name, [])
                child.data.counts = JobCounts.of(jobs)
                child.data.stale = None
                self.relabel(child)
                if child.is_expanded or child.data.loaded:
                    self.populate(child, list(jobs))
            elif isinstance(error, ServiceError) and (child.is_expanded or child.data.loaded):
                if self.has_resources(child):
                    child.data.stale, child.data.stale_since = error, self._loaded_at(child)
                    self.relabel(child)
                else:
                    self.show_error(child, error)

    def fill_endpoint(self, node: TreeNode[NodeData]) -> None:
        """Expanding an endpoint uses its channel's job list: no request of its own."""
        channel_node = node.parent
        assert node.data is not None and channel_node is not None and channel_node.data
        by_endpoint = listed_jobs(channel_node.data)
        if by_endpoint is not None and "jobs_error" not in channel_node.data.extra:
            self.populate(node, list(by_endpoint.get(node.data.name, [])))
        elif "jobs_error" in channel_node.data.extra:
            self.show_loading(node)
            self.load_children(node)
        else:
            self.show_loading(node)

    def refresh_node(self, node: TreeNode[NodeData]) -> None:
        """Load `node`'s children again, and those of its expanded descendants; what is
        loaded stays on screen (expansion, cursor) until the answers replace it."""
        assert node.data is not None
        if node is self.root and node.data.kind == "root" and len(self.backends) > 1:
            for child in node.children:
                self.refresh_node(child)
            return
        if node.data.kind in PLACEHOLDERS or node.data.kind == "job":
            return
        self.prefetch.forget(node)  # asked for afresh, not answered by a speculation
        if not self.has_resources(node):
            node.remove_children()
            self.show_loading(node)
        self.load_children(node, deep=True)

    def _loaded_at(self, node: TreeNode[NodeData]) -> datetime:
        """When `node`'s children were loaded: now, or the cached view's time (whether or
        not the rest of the warm start's refresh is in yet)."""
        first = node.children[0].data if node.children else None
        saved_at = first.extra.get(CACHED) if first is not None else None
        return saved_at if isinstance(saved_at, datetime) else datetime.now(UTC)

    def has_resources(self, node: TreeNode[NodeData]) -> bool:
        """Whether `node` shows loaded children (not only a placeholder)."""
        return any(c.data is not None and c.data.kind not in PLACEHOLDERS for c in node.children)

    # Prefetch (ui/prefetch.py): the lists of the collapsed node the cursor rests on.

    def _prefetch_wanted(self, node: TreeNode[NodeData]) -> list[ListKey]:
        """The lists a collapsed, unloaded group or channel would ask for on expand; none
        for a node whose list failed. (A channel's job list only unfiltered: filtered it
        is one list per status.)"""
        data = node.data
        if data is None or node.is_expanded or data.loaded or data.loading or data.stale:
            return []
        if any(c.data is not None and c.data.kind == "error" for c in node.children):
            return []
        if data.kind == "group":
            return [CHILDREN]
        if data.kind == "channel":
            return [CHILDREN] if self.statuses else [CHILDREN, JOBS]
        return []

    def _prefetch_begin(self, node: TreeNode[NodeData], key: ListKey) -> Finish | None:
        data = node.data
        backend = self.backend_of(data) if data is not None else None
        if data is None or backend is None:
            return None
        if key == JOBS and isinstance(data.resource, Channel) and not self.statuses:
            r = data.resource
            return self.jobs_call(backend, r.group_name, r.name)  # type: ignore[return-value]
        request = children_request(data) if key == CHILDREN else None
        return begin_call(self, backend, request) if request is not None else None

    def _prefetched(self, node: TreeNode[NodeData], key: ListKey) -> Finish | None:
        """Wait for `node`'s prefetched list `key`, if one was sent (the job list only
        while no status filter is on: it was asked for unfiltered)."""
        if key == JOBS and self.statuses:
            return None
        spec = self.prefetch.take(node, key)
        return spec.wait if spec is not None else None

    def _expand_prefetched(self, node: TreeNode[NodeData]) -> bool:
        """Fill `node` now from its prefetched list, if that has arrived: the expand is
        instant (no "Loading…", no frame in between)."""
        items = self.prefetch.arrived_items(node, CHILDREN)
        if items is None:
            return False
        self._on_resource_tree__children_loaded(self._ChildrenLoaded(node, items))
        if node.data is not None and node.data.kind == "channel":
            jobs = None if self.statuses else self.prefetch.arrived_items(node, JOBS)
            if jobs is None:
                self.load_channel_jobs(node)
            else:
                done = [job for job in jobs if isinstance(job, HarvestJob)]
                self._on_resource_tree__channel_jobs(self._ChannelJobs(node, done))
        return True

    def _on_prefetch_arrived(self, message: PrefetchArrived) -> None:
        self.prefetch.arrived(message.speculation)

    # Deep links: open the path level by level, as each level's list arrives.

    def reveal(self, names: tuple[str, ...], region: str | None = None) -> None:
        """Expand down `names` (group, channel, endpoint, job) and select the last one.
        Only the lists on the path are asked for; a name that is not there is said."""
        self._reveal = list(names)
        self._reveal_at = self.root
        first = self.root.children[0].data if self.root.children else None
        if first is not None and first.kind == "region":  # several regions: pick one
            wanted = region or first.name
            self._reveal_at = self.child_named(self.root, wanted)
            if self._reveal_at is None:
                self._reveal_failed(f"region {wanted} is not one of this profile's")
                return
        self._advance_reveal()

    def _advance_reveal(self) -> None:
        node = self._reveal_at
        while self._reveal and node is not None and node.data is not None:
            if node.data.loading or not node.data.loaded:
                if node is not self.root and not node.is_expanded:
                    node.expand()  # its list is asked for; the answer calls us again
                return
            if any(c.data is not None and c.data.kind == "error" for c in node.children):
                self._reveal_failed("its list could not be read (see the error in the tree)")
                return
            name = self._reveal[0]
            child = self.child_named(node, name)
            if child is None:
                level = LEVELS[min(len(self._path_done(node)), len(LEVELS) - 1)]
                where = clean(node.data.name) or "this region"
                self._reveal_failed(f"there is no {level} {clean(name)} in {where}")
                return
            self._reveal.pop(0)
            node = self._reveal_at = child
            if not self._reveal:
                # Only the target is selected: a node on the way would be shown, and
                # fetched (GetChannelGroup...), for nothing. At once: its line is numbered
                # now, not in the next frame, so its detail comes in the same frame.
                number_lines(self)
                self.move_cursor(child)
            if self._reveal and child.data is not None and not child.is_expanded:
                child.expand()
        if not self._reveal:
            self._reveal_at = None

    def _path_done(self, node: TreeNode[NodeData]) -> list[str]:
        names: list[str] = []
        while node is not self.root and node.data is not None and node.data.kind != "region":
            names.append(node.data.name)
            node = node.parent  # type: ignore[assignment]
        return names

    def _reveal_failed(self, why: str) -> None:
        reached = self._reveal_at
        self._reveal, self._reveal_at = [], None
        if reached is None or reached is self.root:
            reached = self.root.children[0] if self.root.children else None
        if reached is not None:  # as far as the link led
            self.call_after_refresh(self.move_cursor, reached)
        self.notify(f"Could not open the link: {why}.", severity="error", markup=False)

    # Building. Thousands of job nodes: no per-node work beyond the label itself.

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
        if kind == "job" and self.job_order == "newest":
            items = newest_first(items)
        if not items:
            node.remove_children()
            note = _EMPTY_NOTE.get(kind, "nothing here")
            if kind == "job" and self.statuses:
                note = "no harvest jobs in " + " or ".join(str(s) for s in self.statuses)
            if node is self.root and kind in ("group", "region"):
                note = self.empty_account_note(node.data.region)
            node.add_leaf(Text(note), NodeData("empty", node.data.region, note=note))
            node.data.by_name = None
            node.data.unfinished = None
            if bench.ENABLED:
                bench.populated(self, node, kind, 0)
            return
        existing: dict[str, TreeNode[NodeData]] = {}
        under_cursor = self.cursor_node
        for old in list(node.children):
            data = old.data
            if data is not None and data.kind == kind and data.name not in existing:
                existing[data.name] = old
            else:
                old.remove()  # a placeholder, an error, or a repeated name
        wanted = {resource_key(item) for item in items}
        cursor_gone = False
        for name, old in list(existing.items()):
            if name not in wanted:
                cursor_gone = cursor_gone or old is under_cursor
                old.remove()
                del existing[name]
        # Each item's place is its index: new nodes go in by index, never by looking up
        # a neighbour (`after=node` scans the siblings: quadratic over 10,000 jobs); the
        # kept ones are put in the items' order at the end, if they are not in it.
        ordered: list[TreeNode[NodeData]] = []
        for item in items:
            name = resource_key(item)
            child = existing.pop(name, None)
            if child is not None and child.data is not None:
                if not isinstance(item, str):
                    child.data.resource = item  # type: ignore[assignment]
                    child.data.extra.pop(CACHED, None)
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
            reorder_children(node, ordered)
        if cursor_gone:
            # The row under the cursor went (a status filter, a job deleted): the cursor
            # goes up to its parent, not to whatever row now has that line.
            self.move_cursor(node)
        node.data.by_name = None
        if kind == "job":
            node.data.unfinished = [c for c in ordered if is_unfinished(c)] or None
        if bench.ENABLED:
            bench.populated(self, node, kind, len(items))

    def empty_account_note(self, region: str) -> str:
        where = clean(region) if region and region != "default" else "this region"
        return (
            f"No channel groups in {where}. Wrong region or profile? "
            "Start with --region, or press p to switch profile."
        )

    # Fresh job states and a group's active jobs: what IndexedTree's roll-ups sum up. Here,
    # not there: a job new to a loaded endpoint refills its rows (populate), and `departed`
    # is the loading's (reload_all clears it).

    def note_active(self, group_node: TreeNode[NodeData], jobs: list[HarvestJob]) -> None:
        """Listed jobs: the unfinished ones count against the group's quota."""
        assert group_node.data is not None
        active = _active(group_node.data)
        for job in jobs:
            if job.finished:
                active.pop(job.key, None)
            else:
                active[job.key] = job

    def apply_active(self, region: str, group: str, jobs: list[HarvestJob], at: datetime) -> None:
        """A group's queued and in-progress jobs, all of them, listed at `at`."""
        node = self.node_at(region, (group,))
        if node is None or node.data is None or node.data.kind != "group":
            return
        before = _active(node.data)
        now = node.data.extra["active"] = {job.key: job for job in jobs}
        node.data.extra["active_at"] = at
        for job in jobs:
            if before.get(job.key) != job:  # as known already: nothing to update
                self.apply_job(region, job)
        for key, job in before.items():
            if key not in now:
                self.departed[(region, key)] = job
        self.summarize_group(node)

    def apply_job(self, region: str, job: HarvestJob) -> None:
        """A job's fresh state: its node (if loaded, shown or not), its channel's list, and
        the counts and quota meter above it."""
        if job.finished:
            self.departed.pop((region, job.key), None)
        group_node = self.node_at(region, (job.group_name,))
        if group_node is None or group_node.data is None:
            return
        self.note_active(group_node, [job])
        channel_node = self.child_named(group_node, job.channel_name)
        endpoint_node = self.child_named(channel_node, job.endpoint_name) if channel_node else None
        listed = listed_jobs(channel_node.data) if channel_node and channel_node.data else None
        jobs: list[HarvestJob] | None = None
        if listed is not None:
            jobs = listed.setdefault(job.endpoint_name, [])
            job = self._keep_in_list(jobs, job)
        if endpoint_node is not None and endpoint_node.data is not None:
            job_node = self.child_named(endpoint_node, job.name)
            if job_node is not None and job_node.data is not None:
                old = job_node.data.resource
                if job.tags is None and isinstance(old, HarvestJob) and old.tags is not None:
                    job = replace(job, tags=old.tags)
                self.update_job(job_node, job)
            elif endpoint_node.data.loaded and jobs and any(j.name == job.name for j in jobs):
                self.populate(endpoint_node, list(jobs))
            if jobs is not None:
                endpoint_node.data.counts = JobCounts.of(jobs)
                self.relabel(endpoint_node)
            else:
                self.recount(endpoint_node)
        if channel_node is not None:
            self.roll_up(channel_node)
        else:
            self.summarize_group(group_node)

    def _keep_in_list(self, jobs: list[HarvestJob], job: HarvestJob) -> HarvestJob:
        """Put `job` in its endpoint's list in place of its older state (a new one only if the
        status filter shows it); the state kept, its tags carried over."""
        for i, old in enumerate(jobs):
            if old.name == job.name:
                if job.tags is None and old.tags is not None:
                    job = replace(job, tags=old.tags)
                jobs[i] = job
                return job
        if self.statuses is None or job.status in self.statuses:
            jobs.append(job)
            jobs.sort(key=lambda j: j.name)
        return job

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
