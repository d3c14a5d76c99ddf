"""DetailWorkers: the detail pane's data — the Get call behind the selected node.

The pane renders at once from list data; a debounced worker then fetches the
resource's Get (tags, fresh status and ETag). A newer selection supersedes an
older fetch, whose late answer is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from harvest_tui.errors import ServiceError
from harvest_tui.models import (
    Channel,
    HarvestJob,
    JobCounts,
    Observation,
    OriginEndpoint,
    Resource,
)
from harvest_tui.safe_text import clean
from harvest_tui.ui.data_workers import Request
from harvest_tui.ui.messages import (
    DetailFailed,
    DetailLoaded,
)
from harvest_tui.ui.widgets.tree_nodes import NodeData

if TYPE_CHECKING:
    from harvest_tui.ui.app import HarvestApp

DETAIL_DEBOUNCE = 0.15


def resource_key(resource: Resource) -> tuple[str, ...]:
    if isinstance(resource, HarvestJob):
        return ("job", *resource.key)
    if isinstance(resource, OriginEndpoint):
        return ("endpoint", resource.group_name, resource.channel_name, resource.name)
    if isinstance(resource, Channel):
        return ("channel", resource.group_name, resource.name)
    return ("group", resource.name)


class DetailWorkers:
    """Mixed into HarvestApp: the detail pane's fetches and the jobs they refresh."""

    def on_tree_node_highlighted(self: HarvestApp, event: Tree.NodeHighlighted[NodeData]) -> None:
        self.show_highlighted(event.node)

    def show_highlighted(self: HarvestApp, node: TreeNode[NodeData]) -> None:
        """The detail pane for the node under the cursor. The tree calls it as the cursor
        moves (ResourceTree.on_cursor), so both change in one frame; the NodeHighlighted
        message that follows finds it done."""
        data = node.data
        if data is not None and data.kind == "error" and data.error is not None:
            shown = self.detail_node_error
            if shown is None or shown[0] is not data.error:
                self.show_node_error(node)
            return
        if data is None or data.resource is None:
            return
        if data.resource is self.detail_resource and self.detail_node_error is None:
            return  # already shown
        self.detail_node_error = None
        self.detail_resource = data.resource
        self.detail_region = data.region
        self.detail_fetched_at = None
        self.detail_error = None
        self.render_detail()
        self.fetch_detail()

    def show_node_error(self: HarvestApp, node: TreeNode[NodeData]) -> None:
        """The detail pane for an error node: everything about the failed list call."""
        assert node.data is not None and node.data.error is not None
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self.detail_pending = False
        self.detail_resource = None
        self.detail_error = None
        self.detail_loading = False
        self.detail_node_error = (node.data.error, error_scope(node.parent))
        self.render_detail()

    def maybe_show_first_detail(self: HarvestApp) -> None:
        if self.detail_resource is None:
            data = self.tree.cursor_data
            if data is not None and data.resource is not None:
                self.detail_resource = data.resource
                self.detail_region = data.region
                self.render_detail()
                self.fetch_detail()

    def current_detail_resource(self: HarvestApp) -> Resource | None:
        return self.detail_resource

    def render_detail(self: HarvestApp) -> None:
        resource = self.detail_resource
        if resource is None:
            if self.detail_node_error is not None:
                self.detail.show_node_error(*self.detail_node_error)
            else:
                self.detail.show_empty()
            return
        observations: list[Observation] = []
        if isinstance(resource, HarvestJob):
            observations = self.observations.get((self.detail_region, resource.key), [])
        self.detail.show(
            resource,
            now=self.clock(),
            tz=self.tz,
            fetched_at=self.detail_fetched_at,
            observations=observations,
            error=self.detail_error,
            loading=self.detail_loading,
        )

    def fetch_detail(self: HarvestApp, *, immediate: bool = False) -> None:
        """GetX for the shown resource, after a short pause so fast scrolling sends nothing."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self.detail_pending = True
        if immediate:
            self._start_detail_worker()
        else:
            self._detail_timer = self.set_timer(DETAIL_DEBOUNCE, self._start_detail_worker)

    def _start_detail_worker(self: HarvestApp) -> None:
        self.detail_pending = False
        resource = self.detail_resource
        if resource is None:
            return
        region = self.detail_region
        self.detail_loading = True
        self.render_detail()
        finish = self.begin_request(region, get_request(resource))

        def work() -> None:
            try:
                fresh = finish()
            except ServiceError as error:
                if not get_current_worker().is_cancelled:
                    self.post_message(DetailFailed(resource_key(resource), error))
                return
            if not get_current_worker().is_cancelled:
                self.post_message(DetailLoaded(fresh, self.clock()))

        self.run_worker(work, thread=True, exclusive=True, group="detail", exit_on_error=False)

    def on_detail_loaded(self: HarvestApp, message: DetailLoaded) -> None:
        current = self.detail_resource
        if current is None or resource_key(current) != resource_key(message.resource):
            return
        self.detail_resource = message.resource
        self.detail_fetched_at = message.fetched_at
        self.detail_error = None
        self.detail_loading = False
        if isinstance(message.resource, HarvestJob):
            self.job_updated(self.detail_region, message.resource)
        self.render_detail()

    def on_detail_failed(self: HarvestApp, message: DetailFailed) -> None:
        current = self.detail_resource
        if current is None or resource_key(current) != message.key:
            return
        self.detail_error = message.error
        self.detail_loading = False
        self.render_detail()

    def job_updated(self: HarvestApp, region: str, job: HarvestJob) -> None:
        """A fresh job state: relabel its node, note transitions, announce a finish."""
        changed = self.observe(region, job)
        for node in self.tree.job_nodes_of(region, job.key):  # by name: no walk of every job
            data = node.data
            if (
                data
                and data.region == region
                and isinstance(data.resource, HarvestJob)
                and data.resource.key == job.key
            ):
                tags = job.tags if job.tags is not None else data.resource.tags
                self.tree.update_job(node, with_tags(job, tags))
                self.recount(node.parent)
        if changed and job.finished:
            severity = "error" if str(job.status) == "FAILED" else "information"
            self.notify(
                f"{clean(job.name)} finished: {clean(str(job.status))}",
                title="Harvest job",
                severity=severity,
                markup=False,
            )
            self.ring_bell()

    def recount(self: HarvestApp, endpoint_node: TreeNode[NodeData] | None) -> None:
        if endpoint_node is None or endpoint_node.data is None:
            return
        jobs = [c.data.resource for c in endpoint_node.children if c.data and c.data.resource]
        endpoint_node.data.counts = JobCounts.of([j for j in jobs if isinstance(j, HarvestJob)])
        self.tree.relabel(endpoint_node)


def with_tags(job: HarvestJob, tags: Any) -> HarvestJob:
    from dataclasses import replace

    return job if job.tags is not None or tags is None else replace(job, tags=tags)


def error_scope(node: TreeNode[NodeData] | None) -> str:
    """What an error node's parent was loading, in words: "the channels of live-sports"."""
    data = node.data if node is not None else None
    if data is None or data.kind == "root":
        named = data is not None and data.region not in ("", "default")  # "default": none
        region = f" in {clean(data.region)}" if named else ""  # type: ignore[union-attr]
        return f"the channel groups{region}"
    name = clean(data.name, max_len=80)
    return {
        "region": f"the channel groups in {name}",
        "group": f"the channels of channel group {name}",
        "channel": f"the origin endpoints of channel {name}",
        "endpoint": f"the harvest jobs of origin endpoint {name}",
    }.get(data.kind, name)


def get_request(resource: Resource) -> Request:
    """The Get call for `resource`'s level (GetHarvestJob for a job)."""
    if isinstance(resource, HarvestJob):
        return ("get_harvest_job", resource.key, {})
    if isinstance(resource, OriginEndpoint):
        return (
            "get_origin_endpoint",
            (resource.group_name, resource.channel_name, resource.name),
            {},
        )
    if isinstance(resource, Channel):
        return ("get_channel", (resource.group_name, resource.name), {})
    return ("get_channel_group", (resource.name,), {})
