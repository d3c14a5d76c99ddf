"""DataWorkers: the plumbing of background calls, and loading the tree.

Each AWS call runs in a thread worker with its own group, so a newer request
for the same thing (`exclusive`) supersedes the older one; a superseded worker
drops its answer instead of posting it. Workers post messages; the handlers,
on the main thread, update the widgets. The detail pane's fetches live in
detail_workers.py and polling in job_polling.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.widgets import Tree
from textual.widgets.tree import TreeNode
from textual.worker import Worker, WorkerState, get_current_worker

from harvest_tui.errors import ServiceError, translate
from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestJob,
    JobCounts,
    Observation,
    OriginEndpoint,
    Resource,
)
from harvest_tui.safe_text import clean
from harvest_tui.service import MediaPackageService
from harvest_tui.ui.messages import (
    CallRetrying,
    CallsInFlight,
    ChannelJobsLoaded,
    ChildrenFailed,
    ChildrenLoaded,
)
from harvest_tui.ui.widgets.tree_nodes import NodeData

if TYPE_CHECKING:
    from harvest_tui.ui.app import HarvestApp

JobKey = tuple[str, str, str, str]
Request = tuple[str, tuple[Any, ...], dict[str, Any]]  # (service method, args, kwargs)


class DataWorkers:
    """Mixed into HarvestApp: everything that talks to the service layer."""

    def init_workers(self: HarvestApp) -> None:
        self.detail_resource: Resource | None = None
        self.detail_region = ""
        self.detail_fetched_at: datetime | None = None
        self.detail_error: ServiceError | None = None
        self.detail_loading = False
        self.observations: dict[tuple[str, JobKey], list[Observation]] = {}
        self.poll_state: dict[tuple[str, JobKey], tuple[float, float]] = {}
        self.polls_in_flight: set[tuple[str, JobKey]] = set()
        self.last_status: dict[tuple[str, JobKey], str] = {}
        self.calls_in_flight = 0
        self.first_frame_shown = False
        self._before_first_frame: list[ChildrenLoaded | ChildrenFailed] = []
        self._detail_timer: Any = None
        self.detail_pending = False
        self._retry_note_timer: Any = None
        self._retry_note = ""
        # The error node under the cursor, with what failed to load: (error, scope).
        self.detail_node_error: tuple[ServiceError, str] | None = None
        # Jobs a poll found deleted: not polled again until a list shows them again.
        self.gone_jobs: set[tuple[str, JobKey]] = set()

    # Plumbing.

    def service(self: HarvestApp, region: str) -> MediaPackageService:
        return self.services[region]

    def begin_call(
        self: HarvestApp, region: str, method: str, *args: Any, **kwargs: Any
    ) -> Callable[[], Any]:
        """Start one of the region's service calls; the function returned, run in a
        thread worker, waits for its answer, reporting retries, and raises a ServiceError.

        Started on the UI thread, the request leaves at once through the service worker,
        not once a thread worker has started (often a frame later). In this process the
        call itself runs when it is waited for.
        """
        service = self.service(region)
        with service.retries_reported_to(self._report_retry):
            finish = service.begin(method, *args, **kwargs)

        def wait() -> Any:
            # Posted, not called: the wait must not depend on the UI thread being free.
            self.post_message(CallsInFlight(1))
            try:
                with service.retries_reported_to(self._report_retry):
                    return finish()
            except ServiceError:
                raise
            except Exception as exc:  # anything else still becomes a readable error
                raise translate(exc, profile=service.profile, region=service.region) from exc
            finally:
                self.post_message(CallsInFlight(-1))

        return wait

    def begin_request(self: HarvestApp, region: str, request: Request) -> Callable[[], Any]:
        method, args, kwargs = request
        return self.begin_call(region, method, *args, **kwargs)

    def _report_retry(self: HarvestApp, operation: str, attempt: int, max_attempts: int) -> None:
        self.post_message(CallRetrying(operation, attempt, max_attempts))

    def on_calls_in_flight(self: HarvestApp, message: CallsInFlight) -> None:
        self._inflight(message.delta)

    def _inflight(self: HarvestApp, delta: int) -> None:
        self.calls_in_flight += delta
        if self.calls_in_flight <= 0:
            self._retry_note = ""  # nothing in flight: nothing is being retried
        self._show_activity()

    def _show_activity(self: HarvestApp) -> None:
        """The header's activity: the latest retry (kept for 3 s), else calls in flight."""
        if self._retry_note:
            extra = f" · {self.calls_in_flight} in flight" if self.calls_in_flight > 1 else ""
            self.header.activity = self._retry_note + extra
        elif self.calls_in_flight > 0:
            self.header.activity = f"⟳ loading ({self.calls_in_flight})"
        else:
            self.header.activity = ""

    def on_call_retrying(self: HarvestApp, message: CallRetrying) -> None:
        operation = clean(message.operation, max_len=40)
        self._retry_note = (
            f"⟳ retrying {operation} (attempt {message.attempt}/{message.max_attempts})"
        )
        self._show_activity()
        if self._retry_note_timer is not None:
            self._retry_note_timer.stop()
        self._retry_note_timer = self.set_timer(3, self._clear_retry_note)

    def _clear_retry_note(self: HarvestApp) -> None:
        self._retry_note = ""
        self._show_activity()

    def on_worker_state_changed(self: HarvestApp, event: Worker.StateChanged) -> None:
        """A failure nobody handled becomes a notification, never a traceback."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = translate(event.worker.error)
            self.notify(clean(str(error)), title="Unexpected error", severity="error", markup=False)

    # The tree.

    def reset_tree(self: HarvestApp) -> None:
        tree = self.tree
        tree.clear()
        assert tree.root.data is not None
        tree.root.data.loaded = False
        regions = list(self.services)
        self.detail_resource = None
        self.detail_node_error = None
        self.detail.show_empty()
        if len(regions) > 1:
            tree.populate(tree.root, regions)  # type: ignore[arg-type]
            for node in tree.root.children:
                node.expand()
        else:
            tree.root.data.region = regions[0]
            tree.show_loading(tree.root)
            self.load_children(tree.root)

    def on_tree_node_expanded(self: HarvestApp, event: Tree.NodeExpanded[NodeData]) -> None:
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
            return
        self.tree.show_loading(node)
        self.load_children(node)

    def load_children(self: HarvestApp, node: TreeNode[NodeData], *, deep: bool = False) -> None:
        data = node.data
        assert data is not None
        data.loading = True
        data.extra["deep"] = deep
        region = data.region
        resource = data.resource
        request = children_request(data.kind, resource)
        finish = self.begin_request(region, request) if request else list

        def work() -> None:
            try:
                items = finish()
            except ServiceError as error:
                if not get_current_worker().is_cancelled:
                    self.post_message(ChildrenFailed(node, error))
                return
            if not get_current_worker().is_cancelled:
                self.post_message(ChildrenLoaded(node, items))

        self.run_worker(
            work, thread=True, exclusive=True, group=f"children-{node.id}", exit_on_error=False
        )
        if data.kind == "channel" and isinstance(resource, Channel):
            # Alongside the endpoints, not after them: their job counts, and their jobs
            # once expanded, come from this one list.
            jobs = self.begin_call(
                region, "list_harvest_jobs", resource.group_name, channel=resource.name
            )
            self.run_worker(
                lambda: self.load_channel_jobs(node, jobs),
                thread=True,
                exclusive=True,
                group=f"channel-jobs-{node.id}",
                exit_on_error=False,
            )

    def load_channel_jobs(
        self: HarvestApp, node: TreeNode[NodeData], finish: Callable[[], list[HarvestJob]]
    ) -> None:
        """One ListHarvestJobs page chain for the whole channel: counts for every endpoint."""
        try:
            jobs = finish()
        except ServiceError as error:
            self.post_message(ChannelJobsLoaded(node, [], error))
            return
        self.post_message(ChannelJobsLoaded(node, jobs))

    def on_ready(self: HarvestApp) -> None:
        """The first frame is on screen: show what arrived before it."""
        self.first_frame_shown = True
        waiting, self._before_first_frame = self._before_first_frame, []
        for message in waiting:
            self.post_message(message)

    def held_for_first_frame(self: HarvestApp, message: ChildrenLoaded | ChildrenFailed) -> bool:
        """Whether `message` waits for the first frame: an answer that beats it (the
        prefetched channel groups often do) would otherwise hold that frame back."""
        if self.first_frame_shown:
            return False
        self._before_first_frame.append(message)
        return True

    def on_children_loaded(self: HarvestApp, message: ChildrenLoaded) -> None:
        if self.held_for_first_frame(message):
            return
        node = message.node
        if not self.node_alive(node):
            return
        tree = self.tree
        tree.populate(node, message.items)
        if tree.cursor_node is None and node.children:
            tree.move_cursor(node.children[0])
        assert node.data is not None
        if node.data.kind == "endpoint":
            jobs = [j for j in message.items if isinstance(j, HarvestJob)]
            node.data.counts = JobCounts.of(jobs)
            tree.relabel(node)
            self.remember_jobs(node.data.region, jobs)
        if node.data.kind == "channel":
            self.fill_endpoints_from_cache(node)
        if node.data.extra.pop("deep", False):
            for child in node.children:
                # A channel's job list already refreshes its endpoints.
                if child.data and child.data.kind == "endpoint":
                    continue
                if child.is_expanded and child.data and child.data.loaded:
                    self.refresh_node(child)
        self.maybe_show_first_detail()

    def on_children_failed(self: HarvestApp, message: ChildrenFailed) -> None:
        if self.held_for_first_frame(message) or not self.node_alive(message.node):
            return
        self.tree.show_error(message.node, message.error)
        cursor = self.tree.cursor_node
        if cursor is None and message.node.children:
            # Nothing selected yet (the first load failed): select the error, so the
            # detail pane explains it at once.
            self.tree.move_cursor(message.node.children[0])
        elif cursor is not None and cursor.data is not None and cursor.data.kind == "error":
            self.show_node_error(cursor)  # a retry failed again under the cursor

    def on_channel_jobs_loaded(self: HarvestApp, message: ChannelJobsLoaded) -> None:
        node = message.channel_node
        if not self.node_alive(node) or node.data is None:
            return
        if message.error is not None:
            node.data.extra["jobs_error"] = message.error
            node.data.extra.pop("jobs", None)
        else:
            by_endpoint: dict[str, list[HarvestJob]] = {}
            for job in message.jobs:
                by_endpoint.setdefault(job.endpoint_name, []).append(job)
            node.data.extra["jobs"] = by_endpoint
            node.data.extra.pop("jobs_error", None)
            self.remember_jobs(node.data.region, message.jobs)
        self.fill_endpoints_from_cache(node)

    def fill_endpoints_from_cache(self: HarvestApp, channel_node: TreeNode[NodeData]) -> None:
        assert channel_node.data is not None
        by_endpoint = channel_node.data.extra.get("jobs")
        error = channel_node.data.extra.get("jobs_error")
        for child in self.tree.endpoint_nodes(channel_node):
            assert child.data is not None
            if isinstance(by_endpoint, dict):
                jobs = by_endpoint.get(child.data.name, [])
                child.data.counts = JobCounts.of(jobs)
                self.tree.relabel(child)
                if child.is_expanded or child.data.loaded:
                    self.tree.populate(child, list(jobs))
            elif isinstance(error, ServiceError) and child.is_expanded:
                self.tree.show_error(child, error)

    def fill_endpoint(self: HarvestApp, node: TreeNode[NodeData]) -> None:
        """Expanding an endpoint uses its channel's job list: no request of its own."""
        channel_node = node.parent
        assert node.data is not None and channel_node is not None and channel_node.data
        by_endpoint = channel_node.data.extra.get("jobs")
        if isinstance(by_endpoint, dict):
            self.tree.populate(node, list(by_endpoint.get(node.data.name, [])))
        elif "jobs_error" in channel_node.data.extra:
            self.load_children(node)
            self.tree.show_loading(node)
        else:
            self.tree.show_loading(node)

    def node_alive(self: HarvestApp, node: TreeNode[NodeData]) -> bool:
        """Whether `node` is still in the tree (not removed, not from a cleared tree)."""
        return self.tree.contains(node)

    def remember_jobs(self: HarvestApp, region: str, jobs: list[HarvestJob]) -> None:
        """Record status changes seen between two lists, for the timeline."""
        for job in jobs:
            self.observe(region, job)

    def observe(self: HarvestApp, region: str, job: HarvestJob) -> bool:
        """Note `job`'s status; True (and an Observation) when it changed since last seen."""
        key = (region, job.key)
        self.gone_jobs.discard(key)
        seen = self.observations.setdefault(key, [])
        last = self.last_status.get(key)
        self.last_status[key] = str(job.status)
        if last is not None and last != str(job.status):
            seen.append(Observation(str(job.status), self.clock()))
            return True
        return False

    # Refresh.

    def action_refresh(self: HarvestApp) -> None:
        node = self.tree.cursor_node
        if node is None or node.data is None:
            self.reset_tree()
            return
        if node.data.kind in ("error", "loading"):
            node = node.parent or self.tree.root
        assert node.data is not None
        if node.data.kind == "job":
            self.fetch_detail(immediate=True)
            return
        self.refresh_node(node)
        if node is self.tree.cursor_node:
            self.fetch_detail(immediate=True)
        self.notify(f"Refreshing {clean(node.data.name) or 'the account'}", timeout=2, markup=False)

    def refresh_node(self: HarvestApp, node: TreeNode[NodeData]) -> None:
        assert node.data is not None
        if node is self.tree.root and node.data.kind == "root" and len(self.services) > 1:
            for child in node.children:
                self.refresh_node(child)
            return
        if node.data.kind == "error":
            return
        if not node.children or node.children[0].data.kind == "error":  # type: ignore[union-attr]
            node.remove_children()
            self.tree.show_loading(node)
        self.load_children(node, deep=True)


def children_request(kind: str, resource: Resource | None) -> Request | None:
    """The one list call for a node's children: (method, args, kwargs); None for none."""
    if kind in ("root", "region"):
        return ("list_channel_groups", (), {})
    if kind == "group" and isinstance(resource, ChannelGroup):
        return ("list_channels", (resource.name,), {})
    if kind == "channel" and isinstance(resource, Channel):
        return ("list_origin_endpoints", (resource.group_name, resource.name), {})
    if kind == "endpoint" and isinstance(resource, OriginEndpoint):
        scope = {"channel": resource.channel_name, "endpoint": resource.name}
        return ("list_harvest_jobs", (resource.group_name,), scope)
    return None
